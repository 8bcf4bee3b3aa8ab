from django.conf import settings

PUBLIC_PREFIXES = ("/library", "/specialists", "/portal")


def language_offer(request):
    """Open the language dialog by itself only for patients and public readers who have not chosen
    yet; staff can open it from the header."""
    if (request.COOKIES.get("language_chosen") or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            or request.GET.get("print")):
        return {"offer_language": False}
    user = getattr(request, "user", None)
    is_patient = bool(user and user.is_authenticated and hasattr(user, "patient_record"))
    public_page = request.path.startswith(PUBLIC_PREFIXES)
    return {"offer_language": is_patient or (public_page and not (user and user.is_authenticated))}
