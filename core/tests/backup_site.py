"""Run inside a Thrive process of its own (`manage.py shell -c "from core.tests.backup_site import ..."`)
by test_backup_restore.py: `seed` adds files and orders to the demo content, `probe` prints, as one
JSON line, what a visitor, the certificate's holder and finance staff find on that site."""

import hashlib
import io
import json
import re
import urllib.error
import urllib.request
from html import unescape

from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count, Sum
from django.test import Client
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page

from certificates.models import Certificate
from certificates.tasks import certificate_render
from cms.models import HomePage
from core.demo import DEMO_STAFF_EMAIL
from payments.models import Order, OrderLine
from toolkit.templatetags.toolkit_meta import OG_IMAGE_SPEC

DOCUMENT_TEXT = b"Minutes of the annual gathering: 41 members present."
ORDERS = [("paid", 2500, "GBP"), ("paid", 1000, "EUR"), ("refunded", 4000, "GBP"), ("open", 1500, "GBP")]


def _png() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (960, 640), (30, 120, 90)).save(buffer, "PNG")
    return buffer.getvalue()


def hero_picture():
    """A picture uploaded to the storage and shown on the home page (its rendition is made when
    the page is first shown)."""
    image = get_image_model().objects.create(
        title="Members at the gathering", file=ImageFile(io.BytesIO(_png()), "gathering.png")
    )
    home = HomePage.objects.get(locale__language_code="en-gb")
    home.hero_image = image
    home.save_revision().publish()
    return image


def seed() -> None:
    """Files in the storage (the demo certificate's PDF, a home page picture and its renditions,
    a document) and orders with lines."""
    for certificate in Certificate.objects.filter(pdf=""):
        certificate_render.call(certificate_id=certificate.pk, send_email=False)
    picture = hero_picture()
    picture.get_rendition("fill-720x480")  # made now: what the home page shows
    picture.get_rendition(OG_IMAGE_SPEC)  # and what its Open Graph card (og:image) names
    get_document_model().objects.create(title="Minutes", file=SimpleUploadedFile("minutes.txt", DOCUMENT_TEXT))
    for index, (status, total, currency) in enumerate(ORDERS):
        order = Order.objects.create(
            email=f"donor{index}@example.org", total_minor=total, currency=currency, status=status
        )
        OrderLine.objects.create(order=order, kind="donation", amount_minor=total, description="Gift")
    print("seeded")


def _title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    return unescape(found.group(1)).strip() if found else ""


def _main_text(html: str) -> str:
    """The words of the page's main region (tags, tokens and nonces are in tags: dropped)."""
    found = re.search(r"<main\b.*?</main>", html, re.S)
    text = re.sub(r"<[^>]+>", " ", found.group(0) if found else html)
    return " ".join(unescape(text).split())


def _fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (the test's S3 server)
            return response.status, hashlib.sha256(response.read()).hexdigest()
    except urllib.error.HTTPError as error:
        return error.code, ""


def probe() -> None:
    visitor = Client()
    pages = {}
    for page in Page.objects.live().specific().order_by("path"):
        url = page.get_url()
        if url is None:
            continue
        response = visitor.get(url)
        html = response.content.decode()
        pages[url] = [response.status_code, _title(html), hashlib.sha256(_main_text(html).encode()).hexdigest()]

    home_html = visitor.get("/").content.decode()
    rendition = get_image_model().objects.get().renditions.get(filter_spec="fill-720x480")
    picture = re.search(r'<img[^>]*class="hero__image"[^>]*>', home_html) or re.search(
        r"<img[^>]*hero[^>]*>", home_html
    )
    picture_src = unescape(re.search(r'src="([^"]+)"', picture.group(0)).group(1))

    certificates = []
    for certificate in Certificate.objects.select_related("recipient").order_by("code"):
        verify = visitor.get(reverse("certificates:verify_code", args=[certificate.code]))
        holder = Client()
        holder.force_login(certificate.recipient)
        download = holder.get(reverse("certificates:download", args=[certificate.code]))
        pdf = b"".join(download.streaming_content) if download.status_code == 200 else b""
        verify_html = verify.content.decode()
        certificates.append(
            {
                "code": certificate.code,
                "verify": [verify.status_code, _title(verify_html), _main_text(verify_html)],
                "download": [download.status_code, pdf[:5].decode(errors="replace"), hashlib.sha256(pdf).hexdigest()],
                "pdf_name": certificate.pdf.name,
            }
        )

    document = get_document_model().objects.get()
    served = visitor.get(document.url)

    staff = Client()
    staff.force_login(get_user_model().objects.get(email=DEMO_STAFF_EMAIL))  # MFA-exempt in development
    listing = staff.get(reverse("payments_admin:orders")).content.decode()
    orders = Order.objects.order_by("reference")
    print(
        json.dumps(
            {
                "pages": pages,
                "picture": {"src": picture_src, "rendition": rendition.file.name, "fetched": _fetch(picture_src)},
                "renditions": get_image_model().get_rendition_model().objects.count(),
                "certificates": certificates,
                "document": {"status": served.status_code, "fetched": _fetch(served["Location"])},
                "orders": {
                    "rows": [[o.reference, o.status, o.currency, o.total_minor] for o in orders],
                    "totals": {
                        row["currency"]: [row["n"], row["total"]]
                        for row in Order.objects.order_by()
                        .values("currency")
                        .annotate(n=Count("pk"), total=Sum("total_minor"))
                    },
                    "listed": sorted(o.reference for o in orders if o.reference in listing),
                },
            }
        )
    )
