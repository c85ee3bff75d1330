"""Load demo content: pages, forms, partners, settings and a staff login.

Idempotent: everything is looked up by a stable key (slug, name, email) and only created
when missing, so a second run changes nothing and duplicates nothing.
"""

import json
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from wagtail import hooks
from wagtail.models import Page, Site

from cms.models import (
    Chapter,
    ChapterPage,
    ChapterRepresentative,
    ChapterTeamRole,
    FormField,
    FormPage,
    HomePage,
    PartnerOrganisation,
    SiteSettings,
    StandardPage,
)
from core.demo import DEMO_STAFF_EMAIL, PASSWORD_FILE
from core.hooks import SEED_DEMO_HOOK


def rich(*paragraphs: str) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def stream(*blocks: tuple[str, object]) -> str:
    return json.dumps([{"type": kind, "value": value} for kind, value in blocks])


class Command(BaseCommand):
    help = "Create demo content and a demo staff login (idempotent)."

    def handle(self, *args, **options):
        if not settings.ALLOW_DEMO_CONTENT:
            raise CommandError("Demo content is disabled in these settings (ALLOW_DEMO_CONTENT is False).")
        with transaction.atomic():
            home = self.home_page()
            pages = self.content_pages(home)
            self.wire_home(home, pages)
            self.site_settings(pages["safety"])
            self.partners()
            self.chapters()
            self.chapter_pages(home)
        password = self.staff_user()
        with transaction.atomic():
            # Apps above cms (accounts, training, events...) add their demo content here.
            for add_demo_content in hooks.get_hooks(SEED_DEMO_HOOK):
                add_demo_content(password=password)
        self.stdout.write(self.style.SUCCESS("Demo content is ready."))
        self.stdout.write(f"Demo staff login: {DEMO_STAFF_EMAIL} / {password}")
        self.stdout.write(
            "Also, with the same password: membership@thrive.example (membership team), "
            "trainer@thrive.example (trainer), events@thrive.example (event staff), "
            "finance@thrive.example (finance), editor@thrive.example (editor), "
            "us-organiser@thrive.example (US chapter organiser), "
            "communications@thrive.example (newsletters), "
            "partner@thrive.example (partner contact), "
            "member@thrive.example (member)"
        )

    def home_page(self) -> HomePage:
        site = Site.objects.filter(is_default_site=True).first()
        existing = HomePage.objects.first()
        if existing is None:
            root = Page.get_first_root_node()
            welcome = root.get_children().filter(slug="home").exclude(content_type__model="homepage").first()
            if welcome is not None:
                # Queryset writes, not save()/delete(): those would queue search and reference
                # index tasks for a page that is gone by the time the worker runs them.
                Page.objects.filter(pk=welcome.pk).update(slug="wagtail-welcome")
            existing = root.add_child(
                instance=HomePage(
                    title="Home",
                    slug="home",
                    seo_title="Survivors leading change",
                    hero_title="Survivors leading change",
                    hero_text=(
                        "A network of survivors of modern slavery and human trafficking, building "
                        "leadership, community and a voice in the decisions that affect us."
                    ),
                    mission=rich(
                        "We train survivor leaders, bring people together at events, and work with "
                        "partners so that survivors are thriving members of society."
                    ),
                )
            )
            existing.save_revision().publish()
            if site is None:
                Site.objects.create(hostname="localhost", port=80, root_page=existing, is_default_site=True)
            else:
                site.root_page = existing
                site.site_name = "Thrive"
                site.save()
            if welcome is not None:
                Page.objects.filter(pk=welcome.pk).delete()
        return existing

    def child(self, parent: Page, page: Page) -> Page:
        found = parent.get_children().filter(slug=page.slug).first()
        if found is not None:
            return found.specific
        parent.add_child(instance=page)
        page.save_revision().publish()
        return page

    def form_page(self, parent: Page, *, title: str, slug: str, intro: str, fields: list[dict]) -> FormPage:
        found = parent.get_children().filter(slug=slug).first()
        if found is not None:
            return found.specific
        page = FormPage(
            title=title,
            slug=slug,
            intro=rich(intro),
            thank_you_text=rich("Thank you. We will reply within five working days."),
            to_address=settings.STAFF_NOTIFICATION_EMAIL,
            subject=f"New submission: {title}",
            show_in_menus=slug == "contact",
        )
        page.form_fields = [FormField(sort_order=i, **field) for i, field in enumerate(fields)]
        parent.add_child(instance=page)
        page.save_revision().publish()
        return page

    def content_pages(self, home: HomePage) -> dict[str, Page]:
        pages = {}
        pages["about"] = self.child(
            home,
            StandardPage(
                title="About us",
                slug="about",
                show_in_menus=True,
                intro="Led by survivors, for survivors.",
                body=stream(
                    ("heading", {"text": "Who we are", "level": "h2"}),
                    (
                        "paragraph",
                        rich(
                            "We are an international network of survivor leaders with chapters in the "
                            "United Kingdom and the United States.",
                            "Every course and event is designed with survivors, not only for them.",
                        ),
                    ),
                    ("quote", {"text": "Nothing about us without us.", "attribution": "Network principle"}),
                    (
                        "faq",
                        {
                            "title": "Questions people ask",
                            "items": [
                                {
                                    "question": "Who can join?",
                                    "answer": rich("Any survivor of modern slavery or human trafficking."),
                                },
                                {
                                    "question": "Do I have to use my real name?",
                                    "answer": rich("No. You choose the name we show."),
                                },
                            ],
                        },
                    ),
                    (
                        "embed",
                        {
                            "url": "https://www.youtube.com/watch?v=demo",
                            "title": "Our story in three minutes",
                            "description": "A short film made by members of the network.",
                        },
                    ),
                    (
                        "call_to_action",
                        {
                            "title": "Get involved",
                            "text": "Give an hour a month.",
                            "external_url": "",
                            "button_label": "Contact us",
                        },
                    ),
                ),
            ),
        )
        pages["safety"] = self.child(
            home,
            StandardPage(
                title="Staying safe on this site",
                slug="safety",
                intro="What the 'Exit this page' button does, and what it cannot do.",
                body=stream(
                    (
                        "paragraph",
                        rich(
                            "Press <b>Exit this page</b>, or press the Shift key three times, and this site is "
                            "replaced at once by a weather page. Pressing Back will not bring this page back.",
                            "Quick exit cannot remove this site from your browser history, and it cannot "
                            "hide that you visited from someone who checks your device or your internet provider.",
                            "To be safer: use a private or incognito window, clear your history after visiting, "
                            "or use a device that only you can open.",
                        ),
                    ),
                ),
            ),
        )
        pages["join"] = self.child(
            home,
            StandardPage(
                title="Join the network",
                slug="join",
                show_in_menus=True,
                intro="Membership is open to survivors of modern slavery and human trafficking.",
                body=stream(
                    (
                        "paragraph",
                        rich(
                            'You can <a href="/membership/apply/">apply online</a>. We ask only what we need to '
                            "reply to you safely; a name you choose is fine.",
                            "If an organisation that supports you has sent you an invitation, use the link in it.",
                            "Members who chose to be listed appear on "
                            '<a href="/membership/alumni/">our alumni page</a>.',
                        ),
                    ),
                ),
            ),
        )
        pages["donate"] = self.child(
            home,
            StandardPage(
                title="Donate",
                slug="donate",
                intro="Your gift pays for survivor-led training and events.",
                body=stream(
                    (
                        "paragraph",
                        rich("Online giving is not available yet. Please contact us to give by bank transfer."),
                    ),
                ),
            ),
        )
        pages["volunteer"] = self.form_page(
            home,
            title="Volunteer with us",
            slug="volunteer",
            # The roles, shifts and applications are the volunteering app's (/volunteering/);
            # this form stays for those who do not know yet which role suits them.
            intro=(
                'Our volunteer roles, what each involves and how to apply are on <a href="/volunteering/">'
                "Volunteering</a>. Not sure which suits you? Tell us a little about yourself and how you "
                "would like to help."
            ),
            fields=[
                {"label": "Your name", "field_type": "singleline", "required": True},
                {"label": "Email", "field_type": "email", "required": True},
                {
                    "label": "How would you like to help?",
                    "field_type": "dropdown",
                    "required": True,
                    "choices": "Events\nFundraising\nProfessional skills\nSomething else",
                },
                {"label": "Anything else we should know", "field_type": "multiline", "required": False},
            ],
        )
        pages["contact"] = self.form_page(
            home,
            title="Contact us",
            slug="contact",
            intro="We read every message. Please do not share anything you would not want written down.",
            fields=[
                {"label": "Your name", "field_type": "singleline", "required": True, "help_text": "Any name you like."},
                {"label": "Email", "field_type": "email", "required": True},
                {"label": "Message", "field_type": "multiline", "required": True},
            ],
        )
        pages["partner"] = self.form_page(
            home,
            title="Partner enquiry",
            slug="partner-enquiry",
            intro="For organisations that would like to refer survivors or co-host events.",
            fields=[
                {"label": "Organisation", "field_type": "singleline", "required": True},
                {"label": "Contact name", "field_type": "singleline", "required": True},
                {"label": "Email", "field_type": "email", "required": True},
                {"label": "How would you like to work with us?", "field_type": "multiline", "required": True},
            ],
        )
        return pages

    def wire_home(self, home: HomePage, pages: dict[str, Page]) -> None:
        if home.join_page_id is None and home.donate_page_id is None and home.volunteer_page_id is None:
            home.join_page = pages["join"]
            home.donate_page = pages["donate"]
            home.volunteer_page = pages["volunteer"]
            home.save_revision().publish()

    def site_settings(self, safety_page: Page) -> None:
        site = Site.objects.get(is_default_site=True)
        if SiteSettings.objects.filter(site=site).exists():
            return
        SiteSettings.objects.create(
            site=site,
            organisation_name="Thrive Survivor Network",
            charity_number="1234567 (demo)",
            contact_email="hello@thrive.example",
            contact_phone="+44 20 7946 0000",
            postal_address="PO Box 000\nLondon\nEC1A 1AA",
            safety_page=safety_page,
        )

    def partners(self) -> None:
        for name, region, description in [
            ("Safe Harbour Trust", "London", "Safe housing and casework for survivors."),
            ("Freedom Routes", "North West England", "Employment support and mentoring."),
            ("Bridges Legal Clinic", "New York", "Free immigration and employment law advice."),
        ]:
            # exists() then create(), not get_or_create(): index tasks that run at once in
            # tests would otherwise log the DoesNotExist that get_or_create() caught.
            if not PartnerOrganisation.objects.filter(name=name).exists():
                PartnerOrganisation.objects.create(name=name, region=region, description=description)
        # The listing partners put on their own sites (issue 19): Safe Harbour Trust's "site" is a
        # page served on this computer's port 8001 (README: try the embed on `make run`).
        PartnerOrganisation.objects.filter(name="Safe Harbour Trust", embed_origins="").update(
            embed_origins="http://localhost:8001\nhttp://127.0.0.1:8001"
        )

    def chapters(self) -> None:
        for name, slug, country, zone, currency in [
            ("United Kingdom", "uk", "GB", "Europe/London", "GBP"),
            ("United States", "us", "US", "America/New_York", "USD"),
        ]:
            if not Chapter.objects.filter(slug=slug).exists():
                Chapter.objects.create(name=name, slug=slug, country=country, time_zone=zone, currency=currency)

    def chapter_pages(self, home: HomePage) -> None:
        """A page for each chapter, in the site menu. The team is described by role; a name is
        given only where the person agreed (here: nobody is named but the organisers' roles)."""
        pages = [
            (
                "uk",
                "UK chapter",
                "uk-chapter",
                "Survivor leaders across the United Kingdom, meeting in London, Manchester and online.",
                [
                    ("Chapter organiser", "", "Plans the chapter's events and welcomes new members."),
                    ("Peer mentors", "", "Survivor leaders who have finished the leadership course."),
                    ("Training lead", "", "Runs the chapter's courses with our trainers."),
                ],
                [("North West England", "", "Meet-ups in Manchester and Liverpool.", "")],
                ["Safe Harbour Trust", "Freedom Routes"],
            ),
            (
                "us",
                "US chapter",
                "us-chapter",
                "Survivor leaders across the United States, meeting in New York and online.",
                [
                    ("Chapter organiser", "", "Plans the chapter's events and welcomes new members."),
                    ("Peer mentor", "", "A survivor leader who has finished the leadership course."),
                ],
                # A partner organisation represents the network in New York (issue 19).
                [("New York", "", "Meet-ups in New York City, and legal advice.", "Bridges Legal Clinic")],
                ["Bridges Legal Clinic"],
            ),
        ]
        for slug, title, page_slug, intro, team, representatives, partner_names in pages:
            chapter = Chapter.objects.get(slug=slug)
            if ChapterPage.objects.filter(chapter=chapter).exists():
                continue
            page = ChapterPage(
                title=title,
                slug=page_slug,
                show_in_menus=True,
                chapter=chapter,
                intro=intro,
                team_intro=rich("Everyone on the team is a survivor leader or works alongside survivors."),
                contact=rich(
                    'Use the <a href="/contact/">contact form</a> and say which chapter you would like to reach. '
                    "Tell us the safest way to reply to you.",
                ),
                contact_email=f"{slug}-chapter@thrive.example",
            )
            page.team = [
                ChapterTeamRole(sort_order=n, role=role, name=name, about=about)
                for n, (role, name, about) in enumerate(team)
            ]
            page.representatives = [
                ChapterRepresentative(
                    sort_order=n,
                    region=region,
                    name=name,
                    about=about,
                    partner=PartnerOrganisation.objects.filter(name=partner).first() if partner else None,
                )
                for n, (region, name, about, partner) in enumerate(representatives)
            ]
            page.partners = list(PartnerOrganisation.objects.filter(name__in=partner_names))
            home.add_child(instance=page)
            page.save_revision().publish()

    def staff_user(self) -> str:
        """The demo superuser. Its password is generated once into var/ and reused after."""
        User = get_user_model()
        user = User.objects.filter(email=DEMO_STAFF_EMAIL).first()
        if PASSWORD_FILE.exists():
            password = PASSWORD_FILE.read_text().strip()
            if user is not None:
                return password
        else:
            password = secrets.token_urlsafe(12)
            PASSWORD_FILE.parent.mkdir(parents=True, exist_ok=True)
            PASSWORD_FILE.write_text(password)
            PASSWORD_FILE.chmod(0o600)
        if user is None:
            User.objects.create_superuser(
                email=DEMO_STAFF_EMAIL, password=password, first_name="Demo", last_name="Staff"
            )
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        return password
