from payments.models.claims import GiftAidClaim, GiftAidClaimDonation
from payments.models.giving import Donation, GiftAidDeclaration, RecurringGift, SponsoredPlacesCount
from payments.models.orders import Order, OrderLine, Payment, Refund, WebhookEvent
from payments.models.pages import CampaignPage, DonatePage

__all__ = [
    "CampaignPage",
    "DonatePage",
    "Donation",
    "GiftAidClaim",
    "GiftAidClaimDonation",
    "GiftAidDeclaration",
    "Order",
    "OrderLine",
    "Payment",
    "RecurringGift",
    "SponsoredPlacesCount",
    "Refund",
    "WebhookEvent",
]
