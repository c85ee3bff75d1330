"""Demo translations (`seed_demo`): the home page, About us and the quick-exit safety page in
Vietnamese, so the language fallback and the hreflang alternates can be seen. Every other page
stays English and is shown under /vi/ with a note.

The Vietnamese text was written for the demo and NEEDS REVIEW BY A NATIVE SPEAKER before any
real use (see the README's language section). Idempotent: a page already translated is left as
it is.
"""

import json

from django.conf import settings
from wagtail.actions.copy_for_translation import CopyPageForTranslationAction
from wagtail.models import Locale

from cms.models import HomePage


def _rich(*paragraphs: str) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _stream(*blocks: tuple[str, object]) -> str:
    return json.dumps([{"type": kind, "value": value} for kind, value in blocks])


VIETNAMESE = {
    None: {
        "title": "Trang chủ",
        "seo_title": "Người sống sót dẫn dắt sự thay đổi",
        "hero_title": "Người sống sót dẫn dắt sự thay đổi",
        "hero_text": (
            "Một mạng lưới những người sống sót sau nạn nô lệ hiện đại và mua bán người, cùng nhau xây dựng "
            "khả năng lãnh đạo, cộng đồng và tiếng nói trong những quyết định ảnh hưởng đến chúng tôi."
        ),
        "mission": _rich(
            "Chúng tôi đào tạo những người sống sót trở thành người lãnh đạo, gắn kết mọi người qua các sự kiện, "
            "và hợp tác với các đối tác để người sống sót được sống tốt và hòa nhập xã hội."
        ),
    },
    "about": {
        "title": "Về chúng tôi",
        "intro": "Do người sống sót dẫn dắt, vì người sống sót.",
        "body": _stream(
            ("heading", {"text": "Chúng tôi là ai", "level": "h2"}),
            (
                "paragraph",
                _rich(
                    "Chúng tôi là một mạng lưới quốc tế gồm những người sống sót giữ vai trò lãnh đạo, với các "
                    "chi hội ở Vương quốc Anh và Hoa Kỳ.",
                    "Mỗi khóa học và sự kiện đều được thiết kế cùng với người sống sót, không chỉ dành cho họ.",
                ),
            ),
        ),
    },
    "safety": {
        "title": "An toàn khi dùng trang web này",
        "intro": "Nút “Thoát khỏi trang này” làm được gì, và những gì nó không thể làm.",
        "body": _stream(
            (
                "paragraph",
                _rich(
                    "Nhấn <b>Thoát khỏi trang này</b>, hoặc nhấn phím Shift ba lần, trang web này sẽ lập tức được "
                    "thay bằng một trang dự báo thời tiết. Nhấn Quay lại sẽ không mở lại trang này.",
                    "Thoát nhanh không thể xóa trang web này khỏi lịch sử trình duyệt của bạn, và không thể che "
                    "giấu việc bạn đã truy cập với người kiểm tra thiết bị của bạn hoặc nhà cung cấp internet.",
                    "Để an toàn hơn: hãy dùng cửa sổ riêng tư hoặc ẩn danh, xóa lịch sử sau khi truy cập, hoặc "
                    "dùng thiết bị mà chỉ mình bạn mở được.",
                ),
            ),
        ),
    },
}


def translate_page(page, locale, fields: dict):
    """The live translation of `page` into `locale`, made with simple translation's own action
    (as the Translate screen does) and published with `fields`, unless it exists already."""
    existing = page.get_translation_or_none(locale)
    if existing is not None:
        return existing.specific
    translated = CopyPageForTranslationAction(page=page, locale=locale).execute(skip_permission_checks=True)
    translated = translated.specific
    for name, value in fields.items():
        setattr(translated, name, value)
    translated.save_revision().publish()
    return translated


def seed_translations() -> None:
    english = Locale.objects.filter(language_code=settings.LANGUAGE_CODE).first()
    home = HomePage.objects.filter(locale=english).order_by("pk").first()
    if home is None:
        return
    vietnamese, _created = Locale.objects.get_or_create(language_code="vi")
    translate_page(home, vietnamese, VIETNAMESE[None])
    for slug, fields in VIETNAMESE.items():
        if slug is None:
            continue
        page = home.get_children().filter(slug=slug).first()
        if page is not None:
            translate_page(page.specific, vietnamese, fields)
