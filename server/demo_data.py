"""Plain data for the demo seeder (`server.demo`): names, places, activities and notes.

Names are written the way a coordinator would type them from a document: Ukrainian and
Belarusian names mostly in Cyrillic, Polish with diacritics, Vietnamese family name first
(here split into given and family name), Latin American compound family names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time

from server.activities.models import ActivityKind
from server.common.vocab import CefrLevel
from server.people.models import Person, Sex


@dataclass(frozen=True)
class NameSet:
    """Given names by sex, family names as (masculine, feminine) forms, spoken languages."""

    female: tuple[str, ...]
    male: tuple[str, ...]
    families: tuple[tuple[str, str], ...]
    languages: tuple[str, ...]  # everyone speaks these (ISO 639-1)
    extra_languages: tuple[str, ...]  # some also speak these


def _same(*names: str) -> tuple[tuple[str, str], ...]:
    """Family names that do not change with sex."""
    return tuple((name, name) for name in names)


NAME_SETS: dict[str, NameSet] = {
    "ua": NameSet(
        female=("Оксана", "Олена", "Ірина", "Наталія", "Тетяна", "Юлія", "Марія", "Анастасія",
                "Катерина", "Світлана", "Галина", "Людмила", "Вікторія", "Дарина", "Софія",
                "Ганна", "Олександра", "Яна", "Христина", "Зоряна", "Мар’яна", "Ольга"),
        male=("Андрій", "Олександр", "Дмитро", "Сергій", "Іван", "Максим", "Богдан", "Тарас",
              "Михайло", "Володимир", "Артем", "Микола", "Юрій", "Олег", "Назар", "Ярослав"),
        families=(*_same("Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Кравченко",
                       "Олійник", "Мельник", "Шевчук", "Поліщук", "Бойко", "Ковальчук",
                       "Савченко", "Руденко", "Марченко", "Лисенко", "Гаврилюк", "Мороз",
                       "Петренко", "Клименко", "Павленко", "Литвиненко", "Гончаренко"),
                  ("Ковальський", "Ковальська"), ("Вишневський", "Вишневська"),
                  ("Заболотний", "Заболотна"), ("Яцків", "Яцків")),
        languages=("uk",),
        extra_languages=("ru", "pl", "en"),
    ),
    "pl": NameSet(
        female=("Małgorzata", "Agnieszka", "Katarzyna", "Anna", "Joanna", "Magdalena", "Zofia",
                "Aleksandra", "Monika", "Ewa", "Barbara", "Dorota", "Justyna", "Halina",
                "Wiesława", "Łucja"),
        male=("Łukasz", "Paweł", "Piotr", "Krzysztof", "Tomasz", "Michał", "Jakub",
              "Grzegorz", "Wojciech", "Zbigniew", "Jędrzej", "Stanisław", "Bartłomiej",
              "Mikołaj"),
        families=(*_same("Wójcik", "Żak", "Woźniak", "Mazur", "Krawczyk", "Piątek", "Król",
                       "Wieczorek", "Wróbel", "Ślusarczyk", "Sęk", "Kaczmarek"),
                  ("Kowalski", "Kowalska"), ("Wiśniewski", "Wiśniewska"),
                  ("Dąbrowski", "Dąbrowska"), ("Zieliński", "Zielińska"),
                  ("Szymański", "Szymańska"), ("Kozłowski", "Kozłowska"),
                  ("Jankowski", "Jankowska"), ("Grabowski", "Grabowska"),
                  ("Pawłowski", "Pawłowska"), ("Jabłoński", "Jabłońska"),
                  ("Gołębiowski", "Gołębiowska")),
        languages=("pl",),
        extra_languages=("en", "de", "uk"),
    ),
    "by": NameSet(
        female=("Алена", "Вольга", "Наталля", "Святлана", "Ірына", "Ганна", "Дар’я", "Volha",
                "Katsiaryna", "Hanna"),
        male=("Аляксандр", "Сяргей", "Дзмітрый", "Андрэй", "Уладзімір", "Ягор", "Siarhei",
              "Aliaksandr"),
        families=(("Навіцкі", "Навіцкая"), ("Шчарбакоў", "Шчарбакова"), ("Лукашэвіч", "Лукашэвіч"),
                  ("Жук", "Жук"), ("Hrynevich", "Hrynevich"), ("Savitski", "Savitskaya"),
                  ("Kavalenka", "Kavalenka")),
        languages=("be", "ru"),
        extra_languages=("pl", "en"),
    ),
    "latam": NameSet(
        female=("María José", "Valentina", "Daniela", "Camila", "Luisa Fernanda", "Gabriela",
                "Mariana", "Andrea"),
        male=("Juan Carlos", "José Luis", "Andrés", "Santiago", "Miguel Ángel", "Diego",
              "Luis Alberto", "Carlos"),
        families=_same("Rodríguez Pérez", "García López", "Martínez", "Hernández Gómez",
                       "Ramírez", "Peña", "Muñoz", "Sánchez Díaz", "Castillo", "Ortiz"),
        languages=("es",),
        extra_languages=("en", "pl"),
    ),
    "ge": NameSet(
        female=("Nino", "Tamar", "Ketevan", "Mariam", "Nana", "Salome"),
        male=("Giorgi", "Levan", "Davit", "Irakli", "Zurab", "Nikoloz"),
        families=_same("Beridze", "Kapanadze", "Gelashvili", "Maisuradze", "Lomidze",
                       "Tsiklauri", "Abashidze", "Javakhishvili"),
        languages=("ka",),
        extra_languages=("ru", "en"),
    ),
    "af": NameSet(
        female=("Fatima", "Zahra", "Maryam", "Farzana", "Shabnam", "Nilofar", "Mursal"),
        male=("Ahmad", "Mohammad", "Farid", "Habibullah", "Sayed", "Jawad", "Mustafa"),
        families=_same("Ahmadi", "Rahimi", "Hosseini", "Karimi", "Sultani", "Noori", "Haidari",
                       "Amiri", "Safi"),
        languages=("fa",),
        extra_languages=("ps", "en"),
    ),
    "sy": NameSet(
        female=("Rania", "Lina", "Reem", "Nour", "Hala", "Yasmin", "Dima"),
        male=("Omar", "Khaled", "Mahmoud", "Yousef", "Bassel", "Tarek", "Hussein"),
        families=_same("Al-Hassan", "Haddad", "Khalil", "Al-Khatib", "Darwish", "Nasser",
                       "Mansour", "Sabbagh"),
        languages=("ar",),
        extra_languages=("en", "pl"),
    ),
    "vn": NameSet(
        female=("Thị Hương", "Thị Mai", "Ngọc Anh", "Thu Trang", "Thị Hoa"),
        male=("Văn Minh", "Đức Anh", "Quốc Huy", "Văn Hùng", "Minh Tuấn"),
        families=_same("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"),
        languages=("vi",),
        extra_languages=("pl", "en"),
    ),
    "in": NameSet(
        female=("Priya", "Ananya", "Deepika", "Kavya", "Sneha", "Lakshmi"),
        male=("Rahul", "Arjun", "Vikram", "Rohan", "Amit", "Sandeep"),
        families=_same("Sharma", "Patel", "Iyer", "Reddy", "Nair", "Gupta", "Singh", "Mehta"),
        languages=("en", "hi"),
        extra_languages=("ta", "ml", "pl"),
    ),
    "ng": NameSet(
        female=("Chiamaka", "Ngozi", "Funmilayo", "Aisha", "Adaeze", "Blessing"),
        male=("Chinedu", "Oluwaseun", "Emeka", "Tunde", "Ibrahim", "Obinna"),
        families=_same("Okafor", "Adeyemi", "Okonkwo", "Balogun", "Eze", "Nwosu", "Abubakar",
                       "Ogunleye"),
        languages=("en",),
        extra_languages=("yo", "ig", "ha"),
    ),
    "tr": NameSet(
        female=("Ayşe", "Elif", "Zeynep", "Gülşen"),
        male=("Mehmet", "Emre", "Barış", "Oğuz"),
        families=_same("Yılmaz", "Kaya", "Demir", "Çelik", "Şahin", "Öztürk"),
        languages=("tr",),
        extra_languages=("en",),
    ),
}  # fmt: skip

# (nationality ISO 3166-1 alpha-2, how many people, name set, share of women)
POPULATION: tuple[tuple[str, int, str, float], ...] = (
    ("UA", 74, "ua", 0.68),
    ("PL", 34, "pl", 0.55),
    ("BY", 10, "by", 0.55),
    ("CO", 5, "latam", 0.6),
    ("VE", 5, "latam", 0.6),
    ("GE", 6, "ge", 0.5),
    ("AF", 6, "af", 0.5),
    ("SY", 6, "sy", 0.5),
    ("VN", 5, "vn", 0.5),
    ("IN", 5, "in", 0.4),
    ("NG", 5, "ng", 0.5),
    ("TR", 3, "tr", 0.5),
)

# (lowest age, highest age, weight): children, youth (16-19), adults, older people
AGE_BANDS: tuple[tuple[int, int, float], ...] = ((3, 15, 0.17), (16, 19, 0.14), (20, 59, 0.58),
                                                 (60, 84, 0.11))  # fmt: skip

# (email, role value, display name); `server.demo.DEMO_ACCOUNTS` turns the role into a Role.
STAFF: tuple[tuple[str, str, str], ...] = (
    ("facilitator@example.org", "facilitator", "Olena Bondarenko"),
    ("teacher@example.org", "teacher", "Agnieszka Lewandowska"),
    ("coordinator@example.org", "coordinator", "Paweł Kamiński"),
    ("admin@example.org", "admin", "Michał Dąbrowski"),
    ("marta@example.org", "facilitator", "Marta Kowalczyk"),
    ("iryna@example.org", "teacher", "Iryna Melnyk"),
)

# key: (name, address)
LOCATIONS: dict[str, tuple[str, str]] = {
    "freedom": ("Freedom Space (Nowa Huta)", "os. Centrum C 10, 31-929 Kraków"),
    "zablocie": ("Multicultural Centre (Zabłocie)", "ul. Zabłocie 20, 30-701 Kraków"),
    "kic": ("Kraków Integration Centre", "ul. Dietla 64, 31-039 Kraków"),
    "balicka": ("Collective accommodation centre, ul. Balicka", "ul. Balicka 100, 30-149 Kraków"),
    "wielicka": ("Collective accommodation centre, ul. Wielicka",
                 "ul. Wielicka 250, 30-663 Kraków"),
    "laznia": ("Łaźnia Nowa Theatre", "os. Szkolne 25, 31-977 Kraków"),
}  # fmt: skip

# Public holidays on fixed dates (month, day): weekly sessions do not fall on them.
FIXED_HOLIDAYS: tuple[tuple[int, int], ...] = (
    (1, 1), (1, 6), (5, 1), (5, 3), (8, 15), (11, 1), (11, 11), (12, 24), (12, 25), (12, 26),
)  # fmt: skip

Slot = tuple[int, time, time]  # weekday (0 = Monday), start, end
DatedSlot = tuple[int, time, time]  # days from today, start, end


@dataclass(frozen=True)
class ActivitySpec:
    """One demo activity. Day offsets count from the seeding day.

    Weekly activities have `slots`; with `relative` their weekdays count from today's weekday
    (0 = the same weekday as today), so the demo always has sessions today. Events, trainings
    and distributions with `dates` meet only on those days.
    """

    key: str
    kind: ActivityKind
    title: str
    location: str
    staff: tuple[str, ...]
    audience: str
    size: tuple[int, int]
    start: int
    end: int
    description: str = ""
    slots: tuple[Slot, ...] = ()
    relative: bool = False
    dates: tuple[DatedSlot, ...] = ()
    capacity: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    course_language: str | None = None
    cefr_level: CefrLevel | None = None
    item_label: str | None = None
    tracks_quantity: bool = False  # distributions where a count per person is recorded
    exclusive: str | None = None  # people are in at most one activity of the same group
    notes: tuple[str, ...] = ()


def _t(hour: int, minute: int = 0) -> time:
    return time(hour, minute)


_POLISH_NOTES = (
    "Topic: introducing yourself, the verb być.",
    "Topic: at the doctor's, body parts and symptoms.",
    "Topic: shopping and numbers; role play at the market.",
    "Topic: the past tense, what I did at the weekend.",
    "Topic: filling in a form at the office (urząd).",
    "Short test on vocabulary; most did well.",
)
_ENGLISH_NOTES = (
    "Topic: job interview practice.",
    "Topic: present perfect vs past simple.",
    "Listening: a podcast about Kraków; discussion in pairs.",
    "Writing: a short formal email.",
)

ACTIVITIES: tuple[ActivitySpec, ...] = (
    ActivitySpec(
        "polish_a1", ActivityKind.LANGUAGE_COURSE, "Polish A1 (evening group)", "kic",
        ("teacher@example.org",), "polish_learners", (16, 19), -75, 110,
        description="Polish for beginners, twice a week.",
        slots=((0, _t(17), _t(18, 30)), (3, _t(17), _t(18, 30))), relative=True,
        capacity=20, course_language="pl", cefr_level=CefrLevel.A1, exclusive="polish",
        notes=_POLISH_NOTES,
    ),
    ActivitySpec(
        "polish_a2", ActivityKind.LANGUAGE_COURSE, "Polish A2", "kic",
        ("iryna@example.org",), "polish_learners", (15, 18), -70, 115,
        description="Polish, elementary level, twice a week.",
        slots=((1, _t(17, 30), _t(19)), (3, _t(17, 30), _t(19))),
        capacity=20, course_language="pl", cefr_level=CefrLevel.A2, exclusive="polish",
        notes=_POLISH_NOTES,
    ),
    ActivitySpec(
        "english_b1", ActivityKind.LANGUAGE_COURSE, "English B1", "kic",
        ("iryna@example.org", "teacher@example.org"), "english_learners", (14, 16), -60, 120,
        description="Intermediate English for work and study, twice a week.",
        slots=((0, _t(18, 45), _t(20, 15)), (2, _t(18, 45), _t(20, 15))),
        capacity=16, course_language="en", cefr_level=CefrLevel.B1, notes=_ENGLISH_NOTES,
    ),
    ActivitySpec(
        "choir", ActivityKind.CHOIR, "Multicultural Choir", "freedom",
        ("facilitator@example.org",), "choir", (40, 40), -90, 150,
        description="Songs from Ukraine, Poland and the world; no experience needed.",
        slots=((0, _t(18), _t(19, 30)),), relative=True, capacity=50,
        notes=("Rehearsed a Ukrainian folk song in two voices.", "New song in Georgian.",
               "Preparing for the concert at Freedom Space.", "Warm-up and breathing only."),
    ),
    ActivitySpec(
        "photo", ActivityKind.WORKSHOP, "Photography workshop for women", "freedom",
        ("facilitator@example.org",), "women", (10, 14), -80, 60,
        description="Weekly for several months, ending in an exhibition.",
        slots=((2, _t(10), _t(12)),), capacity=15,
        notes=("Portraits in daylight.", "Walk around Nowa Huta, street photography.",
               "Choosing photos for the exhibition."),
    ),
    ActivitySpec(
        "film", ActivityKind.WORKSHOP, "Intercultural film workshop", "freedom",
        ("marta@example.org",), "teens_and_adults", (12, 16), -65, 90,
        description="Participants design and sew costumes and shoot a short film.",
        slots=((5, _t(11), _t(14)),), capacity=16,
        notes=("Sewing costumes.", "Storyboard finished.", "Shooting scene 2 in the park."),
    ),
    ActivitySpec(
        "youth", ActivityKind.YOUTH_PROGRAMME, "Skills for Youth", "zablocie",
        ("marta@example.org",), "youth", (12, 18), -85, 95,
        description="Workshops on skills, school and work for young people aged 16-19.",
        slots=((1, _t(16), _t(18)),), capacity=20, min_age=16, max_age=19,
        notes=("CV writing.", "Visit from a local employer.", "Team game and debate."),
    ),
    ActivitySpec(
        "jobs", ActivityKind.COUNSELLING, "Job counselling and job matching", "zablocie",
        ("marta@example.org",), "working_age", (8, 12), -90, 180,
        description="Individual appointments: CV, job offers, work permits.",
        slots=((1, _t(10), _t(14)), (3, _t(10), _t(14))),
    ),
    ActivitySpec(
        "hygiene_ed", ActivityKind.WORKSHOP, "Hygiene education for children and parents",
        "balicka", ("marta@example.org",), "families", (16, 24), -40, 45,
        description="Sessions for children, parents and carers.",
        slots=((4, _t(16), _t(17, 30)),), capacity=30,
    ),
    ActivitySpec(
        "rights_info", ActivityKind.TRAINING,
        "Information session: rights and obligations (with Police and Border Guard)",
        "wielicka", ("marta@example.org",), "foreign_adults", (20, 30), -18, -18,
        dates=((-18, _t(17), _t(19)),),
    ),
    ActivitySpec(
        "cac_training", ActivityKind.TRAINING,
        "Training for coordinators of collective accommodation centres", "kic",
        ("marta@example.org",), "cac_coordinators", (10, 14), -26, 26,
        description="Four editions for county coordinators.",
        dates=((-26, _t(10), _t(15)), (-5, _t(10), _t(15)), (13, _t(10), _t(15)),
               (26, _t(10), _t(15))), capacity=25,
    ),
    ActivitySpec(
        "festival", ActivityKind.EVENT, "Theatre festival: transport and tickets", "laznia",
        ("facilitator@example.org", "marta@example.org"), "everyone", (150, 150), -10, -10,
        description="Bus from the accommodation centres and tickets for 150+ people.",
        dates=((-10, _t(16), _t(21)),), capacity=160,
    ),
    ActivitySpec(
        "refugee_day", ActivityKind.EVENT, "World Refugee Day picnic", "freedom",
        ("facilitator@example.org", "marta@example.org"), "everyone", (60, 80), 12, 12,
        dates=((12, _t(12), _t(18)),),
    ),
    ActivitySpec(
        "childrens_day", ActivityKind.EVENT, "Children's Day art picnic", "zablocie",
        ("marta@example.org",), "families", (30, 40), 5, 5, dates=((5, _t(11), _t(15)),),
    ),
    ActivitySpec(
        "hygiene_kits", ActivityKind.DISTRIBUTION, "Hygiene kits", "wielicka",
        ("facilitator@example.org",), "adults", (35, 45), -21, 7, item_label="hygiene kit",
        tracks_quantity=True,
        dates=((-21, _t(12), _t(15)), (-7, _t(12), _t(15)), (7, _t(12), _t(15))),
    ),
    ActivitySpec(
        "school_kits", ActivityKind.DISTRIBUTION, "School kits", "freedom",
        ("marta@example.org",), "school_children", (18, 30), -12, 16, item_label="school kit",
        description="For children starting Polish school.",
        dates=((-12, _t(14), _t(17)), (16, _t(14), _t(17))),
    ),
)  # fmt: skip

# Who each activity is for: a test on the person and their age this year.
Audience = Callable[[Person, int], bool]
AUDIENCES: dict[str, Audience] = {
    "everyone": lambda p, age: True,
    "adults": lambda p, age: age >= 18,
    "working_age": lambda p, age: 18 <= age <= 64,
    "women": lambda p, age: age >= 18 and p.sex == Sex.FEMALE,
    "youth": lambda p, age: 16 <= age <= 19,
    "teens_and_adults": lambda p, age: age >= 16,
    "choir": lambda p, age: age >= 14,
    "polish_learners": lambda p, age: age >= 16 and p.nationality != "PL",
    "english_learners": lambda p, age: 16 <= age <= 64,
    "families": lambda p, age: age <= 12 or (25 <= age <= 50 and p.nationality != "PL"),
    "foreign_adults": lambda p, age: age >= 18 and p.nationality != "PL",
    "cac_coordinators": lambda p, age: 28 <= age <= 60 and p.nationality in ("PL", "UA"),
    "school_children": lambda p, age: 6 <= age <= 15,
}

CANCEL_NOTES = (
    "Cancelled: facilitator ill.",
    "Cancelled: the hall was needed for a distribution.",
    "Cancelled: heating failure in the building.",
)

PROGRESS_NOTES = (
    "Understands slow, clear speech well.",
    "Needs more practice with cases.",
    "Big progress since the start of the course.",
    "Confident in short conversations.",
    "Writes short texts with few mistakes.",
    "Reads simple notices and forms.",
)

# (topic, materials, homework) for the courses' past lessons, by course language.
LESSONS = {
    "pl": (
        (
            "Introducing yourself: name, country, languages",
            "Krok po kroku 1, unit 1",
            "Write five sentences about yourself.",
        ),
        ("Numbers, prices and shopping", "Price tags from a local shop", "Ex. 4–6, p. 18."),
        ("At the doctor's: body parts and symptoms", "Role-play cards", "Learn the new words."),
        (
            "Public transport in Kraków: tickets and timetables",
            "MPK timetable, jakdojade.pl",
            "Plan a trip to Nowa Huta.",
        ),
        ("Past tense of common verbs", "Krok po kroku 1, unit 6", "Ex. 2, p. 41."),
        ("Filling in forms at the office", "Sample PESEL application", ""),
        ("Renting a flat: reading adverts", "Adverts from otodom.pl", "Describe your dream flat."),
    ),
    "en": (
        ("Talking about experiences: present perfect", "English File B1, 3A", "Ex. 1–3, p. 28."),
        ("Job interviews: questions and answers", "Interview role cards", "Prepare three answers."),
        ("Writing a formal email", "Model emails", "Write an email to a landlord."),
        ("Conditionals in everyday situations", "English File B1, 5B", ""),
        ("Listening: news headlines", "BBC Learning English audio", "Listen to one podcast."),
    ),
}
