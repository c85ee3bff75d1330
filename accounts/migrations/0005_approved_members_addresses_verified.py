"""Members approved before the welcome link existed count their address as verified too, as
new approvals do (accounts.services.email_address_verify): the approval email went to it."""

from django.db import migrations


def verify_approved_members_addresses(apps, schema_editor):
    EmailAddress = apps.get_model("account", "EmailAddress")
    MembershipApplication = apps.get_model("accounts", "MembershipApplication")
    approved = MembershipApplication.objects.filter(status="approved", user__isnull=False, user__is_active=True)
    for user in {application.user for application in approved.select_related("user")}:
        address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
        if address is None:
            has_primary = EmailAddress.objects.filter(user=user, primary=True).exists()
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=not has_primary)
        elif not address.verified:
            address.verified = True
            address.save(update_fields=["verified"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_welcome_link"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(verify_approved_members_addresses, migrations.RunPython.noop)]
