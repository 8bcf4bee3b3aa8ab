"""Specialists the clinic refers to: who they are, what they do, where, and which languages they speak."""
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from directory import taxonomy
from directory.validators import (
    BCP47, split_language_tags, validate_language_tags, validate_taxonomy_code,
)


class Location(models.Model):
    name = models.CharField(_("name"), max_length=120)
    address = models.TextField(_("address"))
    city = models.CharField(_("city"), max_length=120)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self):
        return f"{self.name}, {self.city}"


class SpecialistQuerySet(models.QuerySet):
    def speaking(self, language: str):
        """Specialists who speak `language` (es matches es and es-MX; es-MX matches only es-MX)."""
        tag = language.strip()
        if not tag or not BCP47.match(tag):
            return self.none()
        suffix = "" if "-" in tag else r"(-[^,]+)?"
        return self.filter(languages__iregex=rf"(^|,){tag}{suffix}(,|$)")

    def with_taxonomy(self, codes):
        return self.filter(taxonomy_code__in=set(codes))


class Specialist(models.Model):
    slug = models.SlugField(_("web address name"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=150)
    credentials = models.CharField(_("credentials"), max_length=80, blank=True, help_text=_("For example MD, DO, PT, DPT, OTR/L."))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user account"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="specialist_profile",
    )
    taxonomy_code = models.CharField(
        _("NUCC taxonomy code"), max_length=10, validators=[validate_taxonomy_code],
        help_text=_("Health Care Provider Taxonomy code, for example 225100000X for a physical therapist."),
    )
    languages = models.CharField(
        _("languages spoken"), max_length=200, validators=[validate_language_tags],
        help_text=_("BCP 47 language tags separated by commas, for example: en, es, ar."),
    )
    locations = models.ManyToManyField(Location, verbose_name=_("locations"), related_name="specialists", blank=True)
    accepting_new_patients = models.BooleanField(_("accepting new patients"), default=True)
    performs_trigger_point_injections = models.BooleanField(_("performs trigger point injections"), default=False)
    bio = models.TextField(_("short biography"), max_length=800, blank=True)
    bio_language = models.CharField(
        _("language of the biography"), max_length=20, default="en", validators=[validate_language_tags],
    )

    objects = SpecialistQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("specialist")
        verbose_name_plural = _("specialists")

    def __str__(self):
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    def save(self, *args, **kwargs):
        self.languages = ",".join(split_language_tags(self.languages))
        self.bio_language = ",".join(split_language_tags(self.bio_language)[:1]) or "en"
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("directory:profile", args=[self.slug])

    @property
    def language_list(self) -> list[str]:
        return split_language_tags(self.languages)

    @property
    def taxonomy(self):
        return taxonomy.taxonomy().get(self.taxonomy_code)

    @property
    def specialty_label(self):
        return taxonomy.label(self.taxonomy_code)
