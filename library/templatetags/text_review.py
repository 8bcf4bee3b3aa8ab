"""`{% text_review_note kind key language %}`: what a patient reads about a text's clinical review."""
from django import template

from library import review

register = template.Library()


@register.inclusion_tag("library/_text_review_note.html")
def text_review_note(kind, key, language):
    return {"status": review.status_of(kind, key, language)}
