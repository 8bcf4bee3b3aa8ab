"""Demo specialists at two locations, for the demo clinic. Safe to run again: it updates by slug."""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from directory.models import Location, Specialist

LOCATIONS = {
    "downtown": dict(name="tpclinic Downtown", address="120 Harbor Street, Suite 300", city="Springfield",
                     phone="+1 555 0100 200"),
    "eastside": dict(name="tpclinic Eastside Rehabilitation", address="48 Orchard Avenue", city="Springfield",
                     phone="+1 555 0100 300"),
}


@dataclass(frozen=True)
class SpecialistSeed:
    slug: str
    name: str
    credentials: str
    code: str
    languages: str
    locations: tuple[str, ...]
    accepting: bool
    tpi: bool
    bio: str
    username: str = ""  # linked to this demo staff account when it exists


SPECIALISTS = [
    SpecialistSeed("maja-lindqvist", "Dr. Maja Lindqvist", "MD", "207X00000X", "en,sv", ("downtown",), True, False,
                   "Orthopaedic surgeon for shoulder, knee and ankle injuries, including fracture fixation.",
                   "dr.lindqvist"),
    SpecialistSeed("samuel-osei", "Dr. Samuel Osei", "MD", "207XX0005X", "en,tw", ("eastside",), False, False,
                   "Orthopaedic sports medicine: knee and shoulder injuries in active people, kneecap instability."),
    SpecialistSeed("hiroshi-tanaka", "Dr. Hiroshi Tanaka", "MD", "207XX0004X", "en,ja", ("downtown",), True, False,
                   "Foot and ankle surgeon: ankle fractures, heel pain that does not settle, tendon problems."),
    SpecialistSeed("alice-ward", "Dr. Alice Ward", "MD", "208100000X", "en,fr", ("downtown", "eastside"), True, True,
                   "Physiatrist leading the trigger point injection service; plans injections together with exercise.",
                   "dr.ward"),
    SpecialistSeed("elena-marquez", "Dr. Elena Márquez", "MD", "2081S0010X", "es,en", ("eastside",), True, True,
                   "Sports medicine physiatrist for muscle and joint pain in runners and manual workers."),
    SpecialistSeed("chidi-okafor", "Dr. Chidi Okafor", "DO", "208VP0000X", "en,ig", ("downtown",), True, True,
                   "Pain medicine physician for long-lasting neck, back and myofascial pain.", "dr.okafor"),
    SpecialistSeed("layla-mansour", "Dr. Layla Mansour", "MD", "207LP2900X", "ar,en,fr", ("eastside",), False, True,
                   "Anesthesiologist in pain medicine: ultrasound-guided injections for deep muscles."),
    SpecialistSeed("lucia-fernandez", "Lucía Fernández", "PT, DPT", "2251X0800X", "es,en", ("eastside",), True, False,
                   "Orthopaedic physical therapist: home exercise programmes after injections, knee and back rehabilitation."),
    SpecialistSeed("omar-haddad", "Omar Haddad", "PT, DPT", "225100000X", "ar,en", ("downtown",), True, False,
                   "Physical therapist for neck, shoulder and low back pain; teaches stretching and strengthening."),
    SpecialistSeed("grace-kim", "Grace Kim", "PT", "2251S0007X", "en,ko", ("downtown",), False, False,
                   "Sports physical therapist: return to sport after ankle and knee injuries."),
    SpecialistSeed("priya-nair", "Priya Nair", "OTR/L", "225X00000X", "en,hi,ml", ("eastside",), True, False,
                   "Occupational therapist: hand and wrist problems, workplace set-up and everyday tasks with pain."),
]


@transaction.atomic
def load_demo_specialists() -> int:
    """Create or update the demo locations and specialists; return how many specialists there are."""
    places = {}
    for key, fields in LOCATIONS.items():
        places[key], _ = Location.objects.update_or_create(name=fields["name"], defaults=fields)
    users = {user.username: user for user in get_user_model().objects.filter(
        username__in=[seed.username for seed in SPECIALISTS if seed.username])}
    for seed in SPECIALISTS:
        user = users.get(seed.username)
        if user is not None and Specialist.objects.filter(user=user).exclude(slug=seed.slug).exists():
            user = None
        specialist, _ = Specialist.objects.update_or_create(slug=seed.slug, defaults=dict(
            name=seed.name, credentials=seed.credentials, taxonomy_code=seed.code, languages=seed.languages,
            accepting_new_patients=seed.accepting, performs_trigger_point_injections=seed.tpi, bio=seed.bio,
            bio_language="en", user=user,
        ))
        specialist.full_clean()
        specialist.locations.set([places[key] for key in seed.locations])
    return len(SPECIALISTS)
