from django.conf import settings


def language_offer(request):
    """Open the language dialog by itself on a first visit to any page a visitor can see (the login
    page included) and for patients who have not chosen yet; staff open it from the header."""
    if (request.COOKIES.get("language_chosen") or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            or request.GET.get("print")):
        return {"offer_language": False}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"offer_language": True}
    return {"offer_language": hasattr(user, "patient_record")}
