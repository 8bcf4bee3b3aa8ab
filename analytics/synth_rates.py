"""The assumptions behind the synthetic clinic, in one place so they can be read and argued with.

None of these figures is a measured rate from one study; they are our assumptions, chosen to be
of the order reported for trigger point injection and needling, so that analytics, worklists and
benchmarks run against data that looks like a real clinic's:

- Response: most patients improve over a course and many feel little before the third session
  (our own patient education, see treatment/course_rules.py). About 60% of evaluable courses reach
  a 30% fall in pain and about a third a 50% fall (the IMMPACT thresholds, Dworkin et al., J Pain
  2008;9:105-121); these shares are assumptions.
- Injectate: systematic reviews found the injected substance makes little difference to the
  outcome (Cummings & White, Arch Phys Med Rehabil 2001;82:986-992), so the effects per
  injectate below are small on purpose; dry needling gets more post-needling soreness.
- Adverse events: reviews of trigger point injection (e.g. Alvarez & Rockwell, Am Fam Physician
  2002;65:653-660) list post-injection soreness, vasovagal syncope, bleeding/haematoma, infection
  and pneumothorax (near the chest wall) without precise incidences. The rates below are
  assumptions of that order: flare a few per cent, vasovagal and haematoma about 0.5%, infection
  and pneumothorax 1-5 in 10,000 injections, the rest rarer.
"""
from __future__ import annotations

# Clinicians created for the synthetic clinic: username, first, last, credentials, interval (days),
# and a small shift of their patients' chance to respond (practice varies a little).
CLINICIANS = [
    ("synth.moreno", "Inés", "Moreno", "MD, physiatry", 14, 0.03),
    ("synth.adeyemi", "Tunde", "Adeyemi", "DO, pain medicine", 10, 0.00),
    ("synth.berg", "Karin", "Berg", "MD, orthopaedics", 21, -0.04),
    ("synth.tanaka", "Hiro", "Tanaka", "MD, sports medicine", 7, 0.05),
    ("synth.haddad", "Leila", "Haddad", "MD, rheumatology", 28, -0.02),
]

# Trigger point sites: muscle, region on the body map, how common (relative weight), and a shift
# of the chance to respond. Neck and shoulder girdle points are the most common in practice.
SITES = [
    ("upper-trapezius", "neck.angle", 22, 0.05),
    ("levator-scapulae", "neck.angle", 12, 0.03),
    ("rhomboids", "scapula.medial-border", 8, 0.02),
    ("infraspinatus", "scapula.body", 8, 0.00),
    ("supraspinatus", "scapula.upper", 5, 0.00),
    ("splenius-capitis", "neck.back-upper", 6, 0.02),
    ("scalenes", "neck.side", 3, -0.02),
    ("masseter", "face.jaw", 4, 0.04),
    ("quadratus-lumborum", "back.lumbar", 10, -0.06),
    ("iliocostalis-lumborum", "back.lumbar", 4, -0.04),
    ("gluteus-medius", "buttock.upper", 8, -0.03),
    ("piriformis", "buttock.lower", 6, -0.08),
    ("gastrocnemius", "leg.calf", 4, 0.00),
]
# Muscles over the chest wall or lung apex: the only sites where pneumothorax is possible.
THORACIC = {"upper-trapezius", "levator-scapulae", "rhomboids", "infraspinatus", "supraspinatus", "scalenes"}
DIAGNOSIS_BY_MUSCLE = {"masseter": "M79.11", "upper-trapezius": "M79.12", "levator-scapulae": "M79.12",
                       "splenius-capitis": "M79.12", "scalenes": "M79.12"}

# Injectate of a course: agent, concentration (%), relative weight, response shift.
AGENTS = [
    ("lidocaine", "1.00", 50, 0.00),
    ("lidocaine", "0.50", 10, 0.00),
    ("bupivacaine", "0.25", 18, 0.01),
    ("chloroprocaine", "1.00", 4, 0.00),
    ("saline", "0.00", 8, -0.01),
    ("dry-needling", "0.00", 10, -0.03),
]

# How many courses a patient has had (0 = charted, no course yet), as weights.
COURSES_PER_PATIENT = {0: 4, 1: 50, 2: 31, 3: 15}
PLANNED_SESSIONS = [6, 8, 8, 10, 10, 12]
BASE_RESPONSE_CHANCE = 0.64
# For responders, the signed session at which pain is first at least 30% below baseline.
RESPONSE_ONSET = {2: 30, 3: 40, 4: 15, 5: 10, 6: 5}
# For responders, the fall in pain they settle at (a fraction of baseline), drawn uniformly.
TARGET_REDUCTION = (0.30, 0.65)
# Share of open courses whose patient missed the last appointment(s): they show as overdue.
LAPSED_SHARE = 0.35
# Share of the other open courses whose next session is already booked (an appointment).
BOOKED_SHARE = 0.35
PORTAL_DIARY_SHARE = 0.2

# Adverse events per injection (flare, bleeding, ...) or per session (vasovagal); assumptions.
PER_INJECTION = {
    "flare": 0.02,
    "bleeding": 0.005,
    "infection": 0.0002,
    "allergic": 0.0001,
    "nerve-injury": 0.0001,
    "last": 0.00003,
}
PNEUMOTHORAX_AT_THORACIC_SITE = 0.0005
DRY_NEEDLING_FLARE = 0.05
ANTICOAGULANT_BLEEDING_FACTOR = 2.0
PER_SESSION = {"vasovagal": 0.005}

# What each kind of event looks like: minutes to onset, severity, action, outcome.
EVENT_SHAPE = {
    "flare": (18 * 60, "mild", "Heat, gentle stretching and paracetamol advised.", "resolved"),
    "bleeding": (5, "mild", "Pressure for 5 minutes; small haematoma.", "resolved"),
    "vasovagal": (3, "mild", "Laid supine with legs raised; recovered in minutes.", "resolved"),
    "infection": (3 * 24 * 60, "moderate", "Oral antibiotics; reviewed at 48 hours.", "resolved"),
    "allergic": (10, "moderate", "Antihistamine; observed for an hour.", "resolved"),
    "nerve-injury": (60, "mild", "Transient paraesthesia; reviewed at two weeks.", "resolved"),
    "last": (4, "severe", "Stopped injecting, oxygen, monitoring; lipid emulsion ready.", "resolved"),
    "pneumothorax": (120, "moderate", "Chest X-ray; observed in the emergency department.", "hospitalised"),
}
