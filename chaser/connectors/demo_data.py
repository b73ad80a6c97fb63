"""What the demo org is drawn from: its people and their adoption profiles, names, companies,
places and picklists; the formatters of its ids, dates and phone numbers; and the two small
types of its history, `Owner` (a record owner with the profile drawn for it) and `Episode` (a
stretch of time during which some fields of one record were blank). `demo.py` does the drawing.

Everything here is fictional. Domains end in `.example` (RFC 2606) and phone numbers use
ranges set aside for fiction where a country has one (555-01xx, 07700 900xxx, 020 7946 0xxx).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from unicodedata import normalize

VP = "Morgan Ellis"  # the VP of Sales: the managers' manager, a name only (owns nothing)
ADMINS = ("Priya Shah", "Tom Becker")  # the sales-ops admins who chase; not CRM record owners
TRAINING_DAYS_AGO = 70  # the "CRM refresher" training whose effect fades 6-8 weeks later
DEPARTED_DAYS_AGO = 105  # when the inactive owner left; his records were never reassigned

# Adoption profiles (see demo.py): mgr, A = grade-a, M = moderate, I = ineffective,
# UP = improves once chased, FADE = trained, then fades, BAR = blocked by a barrier until
# it is removed, GONE = inactive owner who still owns records, NONE = owns nothing.
# team -> [(first, last, profile)], the manager first.
TEAMS: dict[str, list[tuple[str, str, str]]] = {
    "EMEA": [
        ("Sophie", "Laurent", "mgr"), ("Oliver", "Bennett", "A"), ("Lukas", "Hoffmann", "A"),
        ("Chiara", "Romano", "M"), ("Emma", "Lindqvist", "UP"), ("Jonas", "Weber", "I"),
        ("Amelia", "Clarke", "M"), ("Pieter", "de Vries", "FADE"), ("Inés", "García", "M"),
        ("Malik", "Haddad", "BAR"),
    ],
    "North America East": [
        ("Marcus", "Reed", "mgr"), ("Jessica", "Nguyen", "A"), ("Ryan", "O'Connor", "M"),
        ("Danielle", "Brooks", "UP"), ("Kevin", "Patel", "I"), ("Samantha", "Greene", "FADE"),
        ("Tyler", "Morgan", "M"), ("Greg", "Olsen", "GONE"), ("Aaliyah", "Johnson", "M"),
    ],
    "North America West": [
        ("Hannah", "Kim", "mgr"), ("Carlos", "Mendoza", "A"), ("Brittany", "Lee", "M"),
        ("Jason", "Alvarez", "FADE"), ("Megan", "Foster", "UP"), ("Derek", "Chen", "I"),
        ("Lauren", "Mitchell", "M"), ("Eric", "Sandoval", "M"), ("Olivia", "Park", "NONE"),
    ],
    "APAC": [
        ("Kenji", "Watanabe", "mgr"), ("Priyanka", "Iyer", "A"), ("Liam", "O'Sullivan", "M"),
        ("Mei Lin", "Tan", "FADE"), ("Arjun", "Mehta", "I"), ("Hiroshi", "Sato", "BAR"),
        ("Chloe", "Nguyen", "M"),
    ],
    "SMB Inside Sales": [
        ("Rachel", "Adams", "mgr"), ("Brandon", "Scott", "M"), ("Jasmine", "Rivera", "I"),
        ("Cody", "Walsh", "I"), ("Alyssa", "Turner", "UP"), ("Trevor", "Hughes", "M"),
        ("Kayla", "Price", "A"), ("Dylan", "Ortiz", "FADE"), ("Nicole", "Barnes", "UP"),
        ("Sean", "Murphy", "NONE"),
    ],
    "LATAM": [
        ("Camila", "Rocha", "mgr"), ("Mateo", "Fernández", "M"), ("Valentina", "Cruz", "UP"),
        ("Diego", "Ramírez", "I"), ("Lucía", "Herrera", "A"),
    ],
}

# The two barrier people: which barrier blocks them, and how many days ago it was removed.
BARRIERS = {"Malik Haddad": ("barrier-access", 45), "Hiroshi Sato": ("barrier-training", 50)}
# A barrier still open: her profile may not edit Account.Industry (field-level security), so
# her blank Industry is counted in the cannot-edit bucket, and nobody ever chased her for it.
CANNOT_EDIT = {"Megan Foster": ("Account.Industry",)}

# profile -> (chronic gap share lo, hi), late-entry share, mean days late, calendar days
# between chases (0: never chased; a chase that falls on a weekend is skipped), share of open
# chased gaps a "fixed" chase clears, chance a promise is kept, outcome weights (OUTCOMES order).
OUTCOMES = ("fixed", "promised", "no-response", "disputed", "barrier-access",
            "barrier-training", "barrier-time", "barrier-dependency")
PROFILES: dict[str, tuple] = {
    "mgr": ((0.03, 0.10), 0.2, 5, 21, 0.6, 0.7, (52, 30, 9, 4, 0, 0, 3, 2)),
    "A": ((0.005, 0.015), 0.25, 2, 25, 1.0, 0.9, (62, 25, 5, 2, 1, 0, 3, 2)),
    "M": ((0.09, 0.18), 0.35, 7, 8, 0.25, 0.6, (34, 30, 19, 8, 1, 2, 4, 4)),
    "I": ((0.40, 0.55), 0.5, 20, 5, 0.05, 0.25, (13, 30, 37, 12, 1, 3, 4, 3)),
    "UP": ((0.38, 0.48), 0.35, 8, 4.5, 0.5, 0.8, (49, 29, 12, 4, 0, 1, 3, 2)),
    "BAR": ((0.40, 0.48), 0.35, 8, 4.5, 0.55, 0.8, (49, 29, 12, 4, 0, 1, 3, 2)),
    "FADE": ((0.22, 0.30), 0.2, 3, 5, 0.2, 0.5, (31, 33, 21, 7, 0, 3, 3, 2)),
    "GONE": ((0.45, 0.45), 0.0, 1, 0, 0.0, 0.0, (1, 0, 0, 0, 0, 0, 0, 0)),
    "NONE": ((0.0, 0.0), 0.0, 1, 0, 0.0, 0.0, (1, 0, 0, 0, 0, 0, 0, 0)),
    "QUEUE": ((0.30, 0.30), 0.5, 10, 0, 0.0, 0.0, (1, 0, 0, 0, 0, 0, 0, 0)),
}

FADE_SHARE = (0.22, 0.32)  # share of a FADE person's records that go blank again after the fade
QUEUES = ("Web Inbound Leads", "Partner Referral Leads")
QUEUE_SHARE = 0.08  # of all leads

# team -> (UTC business hours [from, to), index of the admin in ADMINS who chases it)
TEAM_HOURS = {
    "EMEA": (8, 17, 0), "North America East": (13, 22, 1), "North America West": (16, 24, 1),
    "APAC": (0, 9, 0), "SMB Inside Sales": (14, 22, 1), "LATAM": (12, 21, 0),
}

# The demo's objects, their columns (a Salesforce query's fields) and record counts.
COLUMNS = {
    "Account": ("Id", "Name", "OwnerId", "Type", "Industry", "BillingCountry", "BillingCity",
                "Phone", "Website", "AnnualRevenue", "NumberOfEmployees", "CreatedDate",
                "SystemModstamp"),
    "Contact": ("Id", "Name", "FirstName", "LastName", "AccountId", "OwnerId", "Title", "Email",
                "Phone", "CreatedDate", "SystemModstamp"),
    "Opportunity": ("Id", "Name", "AccountId", "OwnerId", "StageName", "Amount", "CloseDate",
                    "NextStep", "LeadSource", "Type", "Loss_Reason__c", "CreatedDate",
                    "SystemModstamp"),
    "Lead": ("Id", "Name", "FirstName", "LastName", "Company", "Title", "Email", "Phone",
             "Status", "LeadSource", "Industry", "OwnerId", "CreatedDate", "SystemModstamp"),
}
COUNTS = {"Account": 3000, "Contact": 8600, "Opportunity": 7000, "Lead": 6400}
OPEN_STAGES = (("Prospecting", 25), ("Qualification", 22), ("Discovery", 20), ("Proposal", 18),
               ("Negotiation", 15))
CLOSED = ("Closed Won", "Closed Lost")


# region -> (country, phone country code, area codes, company legal forms, cities)
GEO = {
    "EMEA": [
        ("United Kingdom", "+44", ("20 7946", "161 496", "131 496"), (" Ltd", " plc"),
         ("London", "Manchester", "Edinburgh")),
        ("Germany", "+49", ("30", "89", "40"), (" GmbH", " AG"), ("Berlin", "Munich", "Hamburg")),
        ("France", "+33", ("1", "4", "5"), (" SAS", " SA"), ("Paris", "Lyon", "Bordeaux")),
        ("Netherlands", "+31", ("20", "10"), (" B.V.",), ("Amsterdam", "Rotterdam")),
        ("Sweden", "+46", ("8", "31"), (" AB",), ("Stockholm", "Gothenburg")),
        ("Spain", "+34", ("91", "93"), (" S.L.", " S.A."), ("Madrid", "Barcelona")),
    ],
    "NAE": [
        ("United States", "+1", ("212 555", "617 555", "404 555", "305 555"),
         (" Inc.", " LLC", " Corp."), ("New York", "Boston", "Atlanta", "Miami")),
        ("Canada", "+1", ("416 555", "514 555"), (" Inc.", " Ltd."), ("Toronto", "Montreal")),
    ],
    "NAW": [
        ("United States", "+1", ("415 555", "206 555", "512 555", "303 555", "213 555"),
         (" Inc.", " LLC", " Corp."), ("San Francisco", "Seattle", "Austin", "Denver")),
        ("Canada", "+1", ("604 555",), (" Inc.",), ("Vancouver",)),
    ],
    "APAC": [
        ("Australia", "+61", ("2", "3"), (" Pty Ltd",), ("Sydney", "Melbourne", "Brisbane")),
        ("Japan", "+81", ("3", "6"), (" K.K.",), ("Tokyo", "Osaka")),
        ("Singapore", "+65", ("6",), (" Pte Ltd",), ("Singapore",)),
        ("India", "+91", ("22", "80"), (" Pvt Ltd",), ("Mumbai", "Bengaluru", "Pune")),
    ],
    "LATAM": [
        ("Brazil", "+55", ("11", "21"), (" Ltda.", " S.A."), ("São Paulo", "Rio de Janeiro")),
        ("Mexico", "+52", ("55", "81"), (" S.A. de C.V.",), ("Mexico City", "Monterrey")),
        ("Chile", "+56", ("2",), (" SpA",), ("Santiago",)),
        ("Colombia", "+57", ("1", "4"), (" S.A.S.",), ("Bogotá", "Medellín")),
    ],
}
TEAM_REGION = {"EMEA": "EMEA", "North America East": "NAE", "North America West": "NAW",
               "APAC": "APAC", "SMB Inside Sales": "NAE", "LATAM": "LATAM"}

FIRST = {
    "EMEA": ("James", "Charlotte", "Henrik", "Anna", "Thomas", "Claire", "Matteo", "Sofia",
             "Lars", "Elena", "Hugo", "Marta", "Felix", "Isabel", "Daniel", "Katarzyna",
             "Nils", "Laura", "Pablo", "Freya", "Ahmed", "Julia", "Tom", "Nadia"),
    "NAE": ("Michael", "Jennifer", "David", "Ashley", "Robert", "Emily", "Chris", "Sarah",
            "Brian", "Amanda", "Jonathan", "Rebecca", "Andre", "Tiffany", "Mark", "Nicole",
            "Steven", "Rachel", "Luis", "Monica", "Patrick", "Kimberly", "Omar", "Grace"),
    "NAW": ("Ethan", "Madison", "Noah", "Hailey", "Jacob", "Victoria", "Anthony", "Alexis",
            "Andrew", "Natalie", "Kyle", "Sydney", "Marco", "Jenna", "Vikram", "Lily",
            "Sam", "Erin", "Jose", "Paige", "Kevin", "Tara", "Miguel", "Ivy"),
    "APAC": ("Wei", "Yuki", "Rahul", "Aiko", "Jack", "Ananya", "Takeshi", "Sakura", "Ravi",
             "Mia", "Daniel", "Li Na", "Haruto", "Deepa", "Ben", "Hana", "Vikram", "Zoe",
             "Kai", "Nisha", "Ryo", "Sarah", "Minh", "Ishita"),
    "LATAM": ("João", "Ana", "Carlos", "Mariana", "Luis", "Gabriela", "Andrés", "Fernanda",
              "Pedro", "Isabella", "Juan", "Daniela", "Rafael", "Paula", "Santiago",
              "Carolina", "Felipe", "Beatriz", "Tomás", "Renata", "Alejandro", "Sofía",
              "Bruno", "Lucía"),
}
LAST = {
    "EMEA": ("Smith", "Müller", "Dubois", "Jansen", "Andersson", "Rossi", "Fernández",
             "Schmidt", "Moreau", "Bakker", "Nilsson", "Bianchi", "Taylor", "Wilson",
             "Kowalski", "Novak", "Petit", "Larsen", "Evans", "Fischer", "Martin", "Visser",
             "Jones", "Costa"),
    "NAE": ("Johnson", "Williams", "Brown", "Davis", "Miller", "Garcia", "Rodriguez",
            "Martinez", "Anderson", "Thomas", "Jackson", "White", "Harris", "Clark",
            "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Lopez",
            "Hill", "Campbell"),
    "NAW": ("Nguyen", "Kim", "Chen", "Wong", "Hernandez", "Gonzalez", "Perez", "Sanchez",
            "Rivera", "Torres", "Ramirez", "Flores", "Reyes", "Cruz", "Morales", "Gupta",
            "Shah", "Lee", "Scott", "Green", "Baker", "Nelson", "Carter", "Roberts"),
    "APAC": ("Tanaka", "Suzuki", "Takahashi", "Wang", "Li", "Zhang", "Sharma", "Singh",
             "Kumar", "Lim", "Tan", "Ng", "Wong", "Nakamura", "Kobayashi", "Reddy",
             "Iyer", "Smith", "Brown", "Walker", "Lee", "Chua", "Menon", "Yamamoto"),
    "LATAM": ("Silva", "Santos", "Oliveira", "Souza", "Pereira", "Lima", "Gómez",
              "Rodríguez", "López", "Martínez", "González", "Pérez", "Sánchez", "Romero",
              "Torres", "Vargas", "Castro", "Rojas", "Morales", "Herrera", "Medina",
              "Ortiz", "Alves", "Ribeiro"),
}

COMPANY_A = (
    "Northwind", "Blue Harbor", "Summit", "Ironwood", "Silverline", "Granite", "Redwood",
    "Bright Path", "Cobalt", "Evergreen", "Pioneer", "Atlas", "Harbor Point", "Keystone",
    "Lakeside", "Meridian", "Nova", "Oakridge", "Pinnacle", "Quantum", "Riverbend",
    "Sterling", "Trident", "Union", "Vertex", "Westfield", "Zenith", "Amber", "Beacon",
    "Cedar", "Delta", "Eastgate", "Falcon", "Golden Gate", "Highland", "Indigo", "Juniper",
    "Kestrel", "Lighthouse", "Maple", "Northstar", "Orion", "Polaris", "Crescent",
    "Sapphire", "Tidewater", "Alpine", "Bluebird", "Crown", "Driftwood", "Emerald",
    "Foxglove", "Greystone", "Horizon", "Ivory", "Jade", "Kingfisher", "Lumen", "Mosaic",
    "Nimbus", "Onyx", "Prairie", "Quarry", "Rockport", "Sagebrush", "Titan", "Upland",
    "Vanguard", "Willow", "Yellowstone",
)
COMPANY_B = (
    "Logistics", "Foods", "Health", "Analytics", "Manufacturing", "Energy", "Capital",
    "Retail", "Systems", "Pharma", "Robotics", "Media", "Telecom", "Insurance", "Motors",
    "Software", "Foods Group", "Labs", "Freight", "Hospitality", "Solar", "Textiles",
    "Biotech", "Construction", "Consulting", "Water", "Aerospace", "Partners", "Holdings",
    "Networks", "Dynamics", "Industries", "Outfitters", "Markets", "Security", "Learning",
    "Clinics", "Packaging", "Shipping", "Studios", "Brewing", "Materials", "Devices",
    "Payments", "Farms",
)

INDUSTRIES = (
    "Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals", "Communications",
    "Construction", "Consulting", "Education", "Electronics", "Energy", "Engineering",
    "Entertainment", "Finance", "Food & Beverage", "Government", "Healthcare",
    "Hospitality", "Insurance", "Machinery", "Manufacturing", "Media", "Not For Profit",
    "Retail", "Shipping", "Technology", "Telecommunications", "Transportation", "Utilities",
)
TITLES = (
    "VP Sales", "Head of Procurement", "IT Director", "CFO", "Operations Manager",
    "Procurement Manager", "Chief Revenue Officer", "Director of Finance", "Office Manager",
    "Head of Data", "CTO", "Marketing Director", "Purchasing Lead", "Facilities Manager",
    "Controller", "Head of IT", "COO", "Sales Operations Manager", "Project Manager",
    "Business Analyst",
)
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Trade Show",
                "Webinar", "Employee Referral", "Advertisement", "Other")
ACCOUNT_TYPES = (("Customer", 40), ("Prospect", 45), ("Partner", 8), ("Former Customer", 7))
LEAD_STATUSES = (("Open - Not Contacted", 30), ("Working - Contacted", 30), ("Nurturing", 15),
                 ("Qualified", 10), ("Unqualified", 15))
OPP_TYPES = ("New Business", "Existing Customer - Upgrade", "Existing Customer - Renewal")
PRODUCTS = ("Platform Subscription", "Analytics Add-on", "Seat Expansion", "Premier Support",
            "Data Migration Services", "Renewal", "Pilot", "Enterprise Upgrade")
NEXT_STEPS = (
    "Send proposal v2", "Schedule demo with IT", "Follow up on pricing", "Security review call",
    "Intro to economic buyer", "Legal redlines back by Fri", "Send MSA", "Book QBR",
    "Confirm budget with CFO", "POC kickoff", "Reference call with customer",
    "Align on rollout plan", "Chase signature", "Send revised quote",
)
LOSS_REASONS = ("Price", "Lost to Competitor", "No Decision", "Timing", "Product Fit",
                "Budget Cut")

# How often reps leave each required field blank (relative weights within a record).
FIELD_WEIGHT = {
    "NextStep": 8, "Amount": 4, "CloseDate": 1.5, "LeadSource": 2, "AccountId": 0.5,
    "Loss_Reason__c": 4, "Phone": 2, "Title": 2, "Email": 1.5, "Industry": 2.5,
    "BillingCountry": 1, "AnnualRevenue": 3, "Company": 0.5,
}
# How much more the admins care about a field when choosing what to chase (default 1).
CHASE_PRIORITY = {"NextStep": 4, "Amount": 5, "CloseDate": 5, "Loss_Reason__c": 2,
                  "AnnualRevenue": 1.5}
# Junk typed into mandatory text fields (all are in chaser's default placeholder list).
PLACEHOLDERS = {
    "NextStep": ("TBD", "tbd", "N/A", "?", "-", "none"),
    "Phone": ("N/A", "-", "?", "xxx", "n/a"),
    "Title": ("-", "?", "N/A", "xxx"),
    "Company": ("?", "xxx", "N/A"),
    "Loss_Reason__c": ("TBD", "?", "-"),
    "BillingCountry": ("N/A", "-"),
}

FIELD_LABEL = {
    "NextStep": "next steps", "Amount": "amounts", "CloseDate": "close dates",
    "LeadSource": "lead sources", "AccountId": "account links", "Loss_Reason__c": "loss reasons",
    "Phone": "phone numbers", "Title": "job titles", "Email": "emails", "Industry": "industry",
    "BillingCountry": "billing countries", "AnnualRevenue": "annual revenue",
    "Company": "company names",
}
# outcome -> note templates; {f} is the first field's label, {n} the records concerned.
NOTES = {
    "fixed": ("Filled {f} on {n} records right away", "Updated {f} ({n} records) same day",
              "Walked through the list, {f} done", "Fixed {f} on {n} records after reminder"),
    "promised": ("Promised {f} by Friday", "Will update {f} after pipeline review",
                 "Said {f} done by EOD tomorrow", "Agreed to clean up {f} this week"),
    "no-response": ("No reply about {f}; will follow up", "Chased {f} again, nothing back",
                    "Reminder about {f} unanswered", "No answer re {f}, try after Monday"),
    "disputed": ("Says {f} not known until customer confirms", "Disputes the need for {f}",
                 "Says the SDR team owns {f}"),
    "barrier-access": ("Cannot see {f} on the page layout - ticket to SF admin",
                       "Field-level security hides {f} for their profile",
                       "No edit rights on {f}; raised with IT"),
    "barrier-training": ("Did not know {f} is required at this stage - showed them",
                         "Unclear what goes in {f}; booked a short training",
                         "Asked how to fill {f} on mobile"),
    "barrier-time": ("Quarter-end crunch, asked to revisit {f} next week",
                     "Travelling all week, {f} later", "QBR prep, no time for {f} today"),
    "barrier-dependency": ("Waiting on finance for {f}", "Needs {f} from the partner first",
                           "Customer legal has to confirm {f}"),
}
CHANNELS = (("email", 40), ("chat", 25), ("call", 25), ("meeting", 10))
# channel -> (low, mode, high) minutes of admin time
MINUTES = {"email": (3, 5, 15), "chat": (3, 4, 12), "call": (5, 12, 35), "meeting": (15, 25, 45)}


# ---- formats ---------------------------------------------------------------------------------

DAY = 86400.0
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_B36_2 = [a + b for a in _B36 for b in _B36]
_EPOCH = date(1970, 1, 1)
_DATES: dict[int, str] = {}
_HH_MM = [f"{h:02d}:{m:02d}" for h in range(24) for m in range(60)]
_SS = [f"{s:02d}" for s in range(60)]


def sf18(id15: str) -> str:
    """A 15-character Salesforce id with its case-safe 3-character checksum."""
    suffix = ""
    for i in (0, 5, 10):
        bits = sum(1 << j for j, ch in enumerate(id15[i:i + 5]) if "A" <= ch <= "Z")
        suffix += "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[bits]
    return id15 + suffix


def sf_ids(prefix: str, start: int, n: int) -> list[str]:
    """`n` consecutive 18-character ids of the object with key prefix `prefix` ("006")."""
    head = prefix + "8a00000"
    check = sf18(head + "00000")[15:]  # the tail is digits and lower case: same checksum
    return [f"{head}{_B36[k // 1679616 % 36]}{_B36_2[k // 1296 % 1296]}{_B36_2[k % 1296]}{check}"
            for k in range(start, start + n)]


def sf_date(ts: float) -> str:
    """A POSIX time as a Salesforce date, "2026-03-02"."""
    d = int(ts // DAY)
    s = _DATES.get(d)
    if s is None:
        s = _DATES[d] = (_EPOCH + timedelta(days=d)).isoformat()
    return s


def sf_stamp(ts: float) -> str:
    """A POSIX time as a Salesforce datetime, "2026-03-02T09:15:00.000+0000"."""
    d, sec = divmod(int(ts), 86400)
    day = _DATES.get(d) or sf_date(ts)
    return f"{day}T{_HH_MM[sec // 60]}:{_SS[sec % 60]}.000+0000"


def phone(geo: tuple, area: str, n: int) -> str:
    """A phone number in `geo`'s country; fictional ranges where the country has them."""
    cc = geo[1]
    if cc == "+1":
        return f"+1 {area} {100 + n % 100:04d}"
    if cc == "+44":
        return f"+44 {area} {n % 1000:04d}"
    return f"{cc} {area} {n % 10000:04d} {n // 10000 % 1000:03d}"


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits only: "Inés O'Connor" -> "inesoconnor"."""
    return "".join(c for c in normalize("NFKD", text).lower() if c.isascii() and c.isalnum())


def cumulative(weights) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


# ---- history types -------------------------------------------------------------------------


class Owner:
    """A record owner (person or queue) and the adoption profile drawn for it."""

    __slots__ = ("key", "team", "region", "profile", "chronic", "late", "lag", "interval",
                 "fix", "keep", "outcomes", "weight", "fade", "eps")

    def __init__(self, key: str, team: str, profile: str, rng: random.Random) -> None:
        (lo, hi), self.late, self.lag, self.interval, self.fix, self.keep, weights = \
            PROFILES[profile]
        self.key, self.team, self.region, self.profile = key, team, TEAM_REGION.get(team), profile
        self.chronic, self.outcomes = lo + (hi - lo) * rng.random(), cumulative(weights)
        book = 0.7 + 0.6 * rng.random()  # relative book size
        self.weight = {"NONE": 0.0, "QUEUE": 0.0, "mgr": 0.25}.get(profile, book)
        lo, hi = FADE_SHARE
        self.fade = lo + (hi - lo) * rng.random() if profile == "FADE" else 0.0
        self.eps: list[Episode] = []


class Episode:
    """A blank episode on one record: these fields were blank from `opened` until `filled`."""

    __slots__ = ("cols", "values", "fields", "opened", "filled")

    def __init__(self, cols: tuple, values: tuple, fields: tuple, opened: float, filled: float):
        self.cols, self.values, self.fields, self.opened, self.filled = \
            cols, values, fields, opened, filled
