"""Forms attendees fill in: booking, the waiting list, passing a ticket on.

The forms parse what people type; every rule about selling (capacity, audience, minimum
amounts) is decided by `events.services`, whose refusals the views attach to these forms.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import EmailField, add_honeypot
from core.money_fields import MoneyFormField


def _ticket_type_field(label) -> forms.TypedChoiceField:
    """A radio list of ticket types (its choices are set by the form, from what is on sale)."""
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a ticket."), "invalid_choice": _("Choose one of the tickets listed.")},
    )


def _offer_tickets(form: forms.Form, ticket_choices: list[tuple[int, str]]) -> None:
    """Offer these ticket types (chosen already when there is only one) and autofill the email."""
    form.fields["ticket_type"].choices = ticket_choices
    if len(ticket_choices) == 1 and not form.is_bound:
        form.initial.setdefault("ticket_type", ticket_choices[0][0])
    form.fields["email"].widget.attrs["autocomplete"] = "email"


class _BookingForm(forms.Form):
    ticket_type = _ticket_type_field(_("Ticket"))
    amount = MoneyFormField(
        label=_("Amount you choose"),
        required=False,
        help_text=_("Only for pay-what-you-can tickets. Leave empty to pay the least amount."),
    )
    quantity = forms.IntegerField(
        label=_("Number of tickets"),
        required=False,  # empty means 1
        min_value=1,
        max_value=10,
        initial=1,
        help_text=_("Each ticket has its own code. All of them are sent to the email address below."),
        error_messages={
            "invalid": _("Enter a whole number of tickets, for example 2."),
            "min_value": _("Book at least 1 ticket."),
            "max_value": _("You can book up to %(limit_value)s tickets at a time."),
        },
    )
    donation = MoneyFormField(
        label=_("Add a donation (optional)"),
        required=False,
        help_text=_("Paid with your tickets, in one payment. Leave empty for none."),
    )
    email = EmailField(
        label=_("Email address"),
        help_text=_("We send your ticket here. Choose an address that is safe for you."),
        error_messages={
            "required": _("Enter an email address so we can send your ticket."),
            "invalid": _("Enter an email address like name@example.org."),
        },
    )
    attendee_name = forms.CharField(
        label=_("Name on the ticket (optional)"),
        required=False,
        max_length=80,
        help_text=_("Any name you like to be called, or leave it empty."),
    )
    nonce = forms.CharField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        ticket_choices: list[tuple[int, str]],
        show_amount: bool,
        show_donation: bool = False,
        most_tickets: int = 10,
        currency: str | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        _offer_tickets(self, ticket_choices)
        for name in ("amount", "donation"):
            self.fields[name].currency = currency  # the event's; None: the default
        if not show_amount:
            del self.fields["amount"]
        if not show_donation:
            del self.fields["donation"]
        # The server decides how many are left; this only keeps the number box sensible.
        self.fields["quantity"].widget.attrs.update({"max": max(1, most_tickets), "inputmode": "numeric"})
        self.fields["attendee_name"].widget.attrs["autocomplete"] = "nickname"

    def amount_minor(self) -> int | None:
        return self.cleaned_data.get("amount")

    def donation_minor(self) -> int:
        return self.cleaned_data.get("donation") or 0


BookingForm = add_honeypot(_BookingForm)


class _WaitingListForm(forms.Form):
    ticket_type = _ticket_type_field(_("Ticket you are waiting for"))
    email = EmailField(
        label=_("Email address"),
        help_text=_("If a place frees up we email you a link to take it. Choose an address that is safe for you."),
        error_messages={
            "required": _("Enter an email address so we can tell you when a place frees up."),
            "invalid": _("Enter an email address like name@example.org."),
        },
    )

    def __init__(self, *args, ticket_choices: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        _offer_tickets(self, ticket_choices)


WaitingListForm = add_honeypot(_WaitingListForm)


class TransferForm(forms.Form):
    email = EmailField(
        label=_("New holder's email address"),
        help_text=_("We send the ticket to this address. Your own ticket and its links then stop working."),
        error_messages={
            "required": _("Enter the email address of the person who will come instead."),
            "invalid": _("Enter an email address like name@example.org."),
        },
    )
    attendee_name = forms.CharField(label=_("Name on the ticket (optional)"), required=False, max_length=80)


class _AccessCodeForm(forms.Form):
    """Book with an access code a partner gave: the code decides the ticket (one place)."""

    code = forms.CharField(
        label=_("Access code"),
        max_length=32,
        help_text=_("The code you were given, for example ABCD-1234."),
        error_messages={"required": _("Enter the access code you were given.")},
    )
    email = EmailField(
        label=_("Email address"),
        help_text=_("We send your ticket here. Choose an address that is safe for you."),
        error_messages={
            "required": _("Enter an email address so we can send your ticket."),
            "invalid": _("Enter an email address like name@example.org."),
        },
    )
    attendee_name = forms.CharField(
        label=_("Name on the ticket (optional)"),
        required=False,
        max_length=80,
        help_text=_("Any name you like to be called, or leave it empty."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"autocomplete": "off", "autocapitalize": "characters"})
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["attendee_name"].widget.attrs["autocomplete"] = "nickname"


AccessCodeForm = add_honeypot(_AccessCodeForm)


class AccessCodeBlockForm(forms.Form):
    """Event staff allocate places to a partner as access codes (the service decides what may
    be allocated; the expiry is read in the event's time zone, which the view activates)."""

    partner = forms.ModelChoiceField(
        label=_("Partner organisation"),
        queryset=None,
        error_messages={"required": _("Choose the partner organisation the codes are for.")},
    )
    ticket_type = forms.ModelChoiceField(
        label=_("Ticket type"),
        queryset=None,
        help_text=_("Often a type marked 'only with an access code', such as a funded place."),
        error_messages={"required": _("Choose the ticket type the codes book.")},
    )
    places = forms.IntegerField(
        label=_("Places (one code each)"),
        min_value=1,
        error_messages={"required": _("Enter how many places to allocate, for example 10.")},
    )
    expires_at = forms.DateTimeField(
        label=_("Codes expire at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_(
            "In the event's time zone; at the latest when the event starts. Unused places then return to sale."
        ),
        error_messages={
            "required": _("Enter when the codes expire."),
            "invalid": _("Enter a date and time like 2026-05-01 18:00."),
        },
    )

    def __init__(self, *args, event, **kwargs):
        from cms.models import PartnerOrganisation

        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = PartnerOrganisation.objects.order_by("name")
        self.fields["ticket_type"].queryset = event.ticket_types.all()
