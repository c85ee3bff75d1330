import time

import factory
from django.contrib.auth.models import Group

from accounts.models import MemberProfile, MembershipApplication, PartnerContact, User
from accounts.tokens import new_token
from cms.models import Chapter, PartnerOrganisation


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "a-long-test-password")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))
        if create:
            self.save()


class StaffFactory(UserFactory):
    is_staff = True


class ChapterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chapter
        django_get_or_create = ("slug",)

    name = "United Kingdom"
    slug = "uk"
    country = "GB"
    time_zone = "Europe/London"
    currency = "GBP"


class MemberProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberProfile

    user = factory.SubFactory(UserFactory)
    display_name = factory.Sequence(lambda n: f"Member {n}")
    chapter = factory.SubFactory(ChapterFactory)


class PartnerOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerOrganisation

    name = factory.Sequence(lambda n: f"Partner organisation {n}")


class PartnerContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerContact

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(PartnerOrganisationFactory)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipApplication

    display_name = factory.Sequence(lambda n: f"Applicant {n}")
    email = factory.Sequence(lambda n: f"applicant{n}@example.org")
    chapter = factory.SubFactory(ChapterFactory)
    token_hash = factory.LazyFunction(lambda: new_token()[1])


def sign_in_with_second_factor(client, user) -> None:
    """Sign in as a staff user who has set up TOTP and used it in this session."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session.save()
