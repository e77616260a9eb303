"""Template preview with a sample case, through the care module's sandboxed renderer."""

from __future__ import annotations

from otklik.care.templates import TemplateInvalid, TemplateVars, render_text

SAMPLE = TemplateVars(brand="Зерно", case_number=1024, name="Ольга", agent="Анна",
                      incident_link="https://example.org/status")


def preview(body: str, sample: TemplateVars | None = None) -> str:
    """The template's text for the sample case (the page escapes it when showing)."""
    try:
        return render_text(body, sample or SAMPLE)
    except TemplateInvalid:
        raise
    except Exception as exc:  # anything else a user template trips over is still their input
        raise ValueError(f"template: {exc}") from exc
