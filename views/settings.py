"""What /settings looks like on a phone: the sections, a section's page, one setting, the 双减
question (pure rendering: language and policy values in, text and buttons out)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.texts import Safe, t
from rules.policies import PolicySet, PolicySpec
from rules.policy_menu import (
    SECTIONS,
    Section,
    double_reduction_breach,
    entry,
    options,
    page_of,
    pages,
    section_of,
    under_double_reduction,
)

View = tuple[str, InlineKeyboardMarkup]


def _button(text: str, kind: callbacks.Button, *ids: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=kind.data(*ids))


def name(lang: str, key: str) -> Safe:
    return t(lang, f"policy_name.{key}")


def section_name(lang: str, section: Section) -> Safe:
    return t(lang, f"settings.section.{section.name}")


def _unit(lang: str, item: PolicySpec) -> str:
    unit = entry(item.key).unit
    return (" " + t(lang, f"settings.unit.{unit}")) if unit else ""


def bare(lang: str, item: PolicySpec, raw: str) -> str:
    """A value as people say it, without its unit: 班主任审核, 开, 07:20, 45."""
    if item.kind == "choice" and raw in item.choices:
        return t(lang, f"settings.choice.{item.key}.{raw}")
    if item.kind == "bool":
        return t(lang, f"settings.value.{raw}") if raw in ("on", "off") else raw
    return raw


def shown(lang: str, item: PolicySpec, raw: str) -> str:
    """A value with its unit: 45 分钟."""
    return bare(lang, item, raw) + (_unit(lang, item) if item.kind == "int" else "")


def allowed(lang: str, item: PolicySpec) -> str:
    if item.kind == "int":
        return t(
            lang, "settings.range.int", lo=item.minimum, hi=item.maximum, unit=_unit(lang, item)
        )
    if item.kind in ("choice", "bool"):
        return " / ".join(bare(lang, item, value) for value in options(item))
    return t(lang, f"settings.range.{item.kind}")


def _mark(policies: PolicySet, item: PolicySpec) -> str:
    """✎ for a changed value; ⚠️ for a cap set over the 双减 rules, so it stays visible."""
    changed = "" if policies.is_default(item.key) else " ✎"
    over = double_reduction_breach(item.key, policies.get(item.key)) is not None
    return changed + (" ⚠️" if over else "")


def menu_view(lang: str, school: str) -> View:
    """The sections, two to a row."""
    buttons = [
        _button(section_name(lang, s), callbacks.SETTINGS_SECTION, s.ref, 0) for s in SECTIONS
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    text = t(lang, "settings.title", school=school) + "\n\n" + t(lang, "settings.usage")
    return text, InlineKeyboardMarkup(rows)


def section_view(lang: str, policies: PolicySet, section: Section, page: int) -> View:
    """One page of a section: each setting with its value, meaning and range; a button each."""
    all_pages = pages(section)
    page = min(max(page, 0), len(all_pages) - 1)
    items = all_pages[page]
    numbered = (
        t(lang, "settings.page", page=page + 1, pages=len(all_pages)) if len(all_pages) > 1 else ""
    )
    lines = [t(lang, "settings.section_head", section=section_name(lang, section), page=numbered)]
    for item in items:
        raw = policies.raw(item.key)
        lines.append(
            t(
                lang,
                "settings.line",
                name=name(lang, item.key),
                value=shown(lang, item, raw),
                mark=_mark(policies, item),
                meaning=t(lang, f"policy.{item.key}"),
                allowed=allowed(lang, item),
            )
        )
    # ⚠️ is explained only where it can appear: a page with a homework cap.
    capped = any(under_double_reduction(item.key) for item in items)
    lines.append(t(lang, "settings.legend_caps" if capped else "settings.legend"))
    rows = [
        [
            _button(
                f"{name(lang, item.key)} · {shown(lang, item, policies.raw(item.key))}",
                callbacks.SETTINGS_OPEN,
                entry(item.key).ref,
            )
        ]
        for item in items
    ]
    turns = []
    if page > 0:
        turns.append(
            _button(
                t(lang, "settings.button.prev"), callbacks.SETTINGS_SECTION, section.ref, page - 1
            )
        )
    if page + 1 < len(all_pages):
        turns.append(
            _button(
                t(lang, "settings.button.next"), callbacks.SETTINGS_SECTION, section.ref, page + 1
            )
        )
    if turns:
        rows.append(turns)
    rows.append([_button(t(lang, "settings.button.menu"), callbacks.SETTINGS_MENU)])
    return "\n\n".join(lines), InlineKeyboardMarkup(rows)


def _back(lang: str, item: PolicySpec) -> InlineKeyboardButton:
    section = section_of(item.key)
    return _button(
        t(lang, "settings.button.back", section=section_name(lang, section)),
        callbacks.SETTINGS_SECTION,
        section.ref,
        page_of(item.key),
    )


def back_markup(lang: str, item: PolicySpec) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_back(lang, item)]])


def cancel_markup(lang: str, item: PolicySpec) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(t(lang, "settings.button.cancel"), callbacks.SETTINGS_STOP, entry(item.key).ref)]]
    )


def detail_text(lang: str, policies: PolicySet, item: PolicySpec) -> str:
    raw = policies.raw(item.key)
    return t(
        lang,
        "settings.detail",
        name=name(lang, item.key),
        meaning=t(lang, f"policy.{item.key}"),
        value=shown(lang, item, raw),
        mark=_mark(policies, item),
        default=shown(lang, item, item.default),
        allowed=allowed(lang, item),
        key=item.key,
    )


def detail_view(lang: str, policies: PolicySet, item: PolicySpec, note: str = "") -> View:
    """One setting. A few choices are buttons (the current one ticked); anything else is typed,
    so the screen asks for it, with a cancel button."""
    text = (note + "\n\n" if note else "") + detail_text(lang, policies, item)
    values = options(item)
    if not values:
        return text + "\n\n" + t(lang, "settings.ask", allowed=allowed(lang, item)), cancel_markup(
            lang, item
        )
    current = policies.raw(item.key)
    ref = entry(item.key).ref
    rows = [
        [
            _button(
                ("✓ " if value == current else "") + bare(lang, item, value),
                callbacks.SETTINGS_PICK,
                ref,
                index,
            )
        ]
        for index, value in enumerate(values)
    ]
    rows.append([_back(lang, item)])
    return text + "\n\n" + t(lang, "settings.pick"), InlineKeyboardMarkup(rows)


def outcome_text(lang: str, item: PolicySpec, old: str, new: str) -> Safe:
    """✅ old → new, or 没有变化 when they are the same."""
    if old == new:
        return t(
            lang, "settings.unchanged", name=name(lang, item.key), value=shown(lang, item, new)
        )
    return t(
        lang,
        "settings.done",
        name=name(lang, item.key),
        old=bare(lang, item, old),
        new=bare(lang, item, new),
        unit=_unit(lang, item) if item.kind == "int" else "",
    )


def breach_view(lang: str, item: PolicySpec, value: int, rule: str) -> View:
    """Which 双减 rule the value breaks, with 仍然设置 / 取消 (the value rides in the button: it
    is a number of minutes, checked again when pressed)."""
    text = t(
        lang,
        "settings.breach",
        name=name(lang, item.key),
        value=shown(lang, item, str(value)),
        rule=t(lang, f"settings.rule.{rule}"),
    )
    ref = entry(item.key).ref
    markup = InlineKeyboardMarkup(
        [
            [
                _button(t(lang, "settings.button.confirm"), callbacks.SETTINGS_FORCE, ref, value),
                _button(t(lang, "settings.button.cancel"), callbacks.SETTINGS_KEEP, ref),
            ]
        ]
    )
    return text, markup
