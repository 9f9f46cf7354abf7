"""`{% govuk_field form.name %}`: one tag renders any form field as the matching GOV.UK component."""

from __future__ import annotations

from django import forms, template

register = template.Library()


def _kind(field) -> str:
    widget = field.field.widget
    if getattr(widget, "govuk_kind", None):
        return widget.govuk_kind
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    return "input"


@register.inclusion_tag("govuk/field.html")
def govuk_field(field, width: str = "", label_class: str = "") -> dict:
    kind = _kind(field)
    widget = field.field.widget
    if kind == "input":
        css = "govuk-input" + (f" govuk-input--width-{width}" if width else "")
        css += " govuk-input--error" if field.errors else ""
        widget.attrs["class"] = css
    elif kind == "textarea":
        widget.attrs["class"] = "govuk-textarea" + (" govuk-textarea--error" if field.errors else "")
        widget.attrs.setdefault("rows", 4)
    elif kind == "select":
        widget.attrs["class"] = "govuk-select" + (" govuk-select--error" if field.errors else "")
    described = [f"{field.auto_id}-hint"] if field.help_text else []
    if field.errors:
        described.append(f"{field.auto_id}-error")
    if described and kind in {"input", "textarea", "select"}:
        widget.attrs["aria-describedby"] = " ".join(described)
    return {"field": field, "kind": kind, "label_class": label_class, "described_by": " ".join(described)}


@register.filter
def error_target(field) -> str:
    """The id an error summary link should point at: the first input of a group, never the group itself.

    A radio or checkbox group, or a date's day/month/year boxes, has no element with the field's own id that can take
    focus, so a link to it goes nowhere; GOV.UK links to the first input instead.
    """
    if field.id_for_label:
        return field.id_for_label
    subwidgets = field.subwidgets
    return subwidgets[0].id_for_label if subwidgets else field.auto_id
