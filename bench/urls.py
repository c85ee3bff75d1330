"""The site's URLs plus two bare views the benchmarks compare against: a plain Django view
(the floor pages are compared against) and a bare Stripe webhook (bench/payments.py)."""

from django.conf import settings
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config import urls as site_urls
from payments import gateway


def ok(request):
    return HttpResponse("ok", content_type="text/plain")


@csrf_exempt
@require_POST
def webhook_bare(request):
    """What any webhook must do, and nothing more: verify the signature and re-fetch the
    PaymentIntent from Stripe (through the same call cap, waiting for a slot as the real
    webhook does). Stores nothing."""
    try:
        event = gateway.webhook_event_verify(request.body, request.headers.get("Stripe-Signature"))
    except gateway.InvalidWebhook:
        return HttpResponse("invalid signature", status=400, content_type="text/plain")
    with gateway.calls_wait_for_a_slot(settings.STRIPE_WEBHOOK_SLOT_WAIT_SECONDS):
        gateway.payment_intent_retrieve(event.object_id)
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("_bench/ok", ok),
    path("_bench/webhook", webhook_bare),
    # The site's own patterns follow (not `include`d: i18n_patterns must stay at the root).
    *site_urls.urlpatterns,
]
handler500 = site_urls.handler500
