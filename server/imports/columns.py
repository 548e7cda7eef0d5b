"""The columns of an import file: their header (as in the template) and what they mean."""

from __future__ import annotations

from dataclasses import dataclass

from server.i18n.catalogs import N_


@dataclass(frozen=True)
class Column:
    name: str  # the header, as in the template
    label: str  # message id: what the column holds
    help: str  # message id: what may be written in it
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column(
        "given_name",
        N_("Given name"),
        N_("Required. As the person writes it, in any alphabet."),
        True,
    ),
    Column(
        "family_name",
        N_("Family name"),
        N_("Required. As the person writes it, in any alphabet."),
        True,
    ),
    Column("sex", N_("Sex"), N_("female, male, other or not_stated (empty: not stated).")),
    Column(
        "birth_year",
        N_("Birth year"),
        N_("Four digits, for example 1987. Empty if the person prefers not to say."),
    ),
    Column(
        "nationality",
        N_("Nationality"),
        N_("Two-letter country code (ISO 3166-1), e.g. UA, PL, BY, GE. Empty: not stated."),
    ),
    Column(
        "phone", N_("Phone"), N_("Optional. Digits, spaces and +, for example +48 600 100 200.")
    ),
    Column(
        "population_group",
        N_("Group (for reports)"),
        N_("refugee_ukraine, other_foreign or host_community (empty: not stated)."),
    ),
    Column(
        "languages",
        N_("Languages"),
        N_("Two-letter language codes (ISO 639-1), separated by spaces, e.g. uk ru pl."),
    ),
    Column(
        "activity",
        N_("Activity"),
        N_("Optional. The exact title of an activity to enrol the person in."),
    ),
    Column(
        "consent",
        N_("Consent"),
        N_("Required. What the person agreed to, separated by spaces: %(purposes)s."),
        True,
    ),
    Column(
        "consent_language",
        N_("Language of the consent text"),
        N_("pl, uk or en: the language the consent text was shown in (empty: pl)."),
    ),
    # The Washington Group short set, only where the person chose to answer.
    *(
        Column(
            f"wg_{domain}",
            label,
            N_(
                "Optional. no_difficulty, some_difficulty, a_lot_of_difficulty, "
                "cannot_do_at_all or prefer_not_to_say (empty: not asked)."
            ),
        )
        for domain, label in (
            ("seeing", N_("Difficulty seeing")),
            ("hearing", N_("Difficulty hearing")),
            ("walking", N_("Difficulty walking or climbing steps")),
            ("remembering", N_("Difficulty remembering or concentrating")),
            ("self_care", N_("Difficulty with self-care")),
            ("communicating", N_("Difficulty communicating")),
        )
    ),
)

COLUMN_NAMES: tuple[str, ...] = tuple(column.name for column in COLUMNS)
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)
LABELS: dict[str, str] = {column.name: column.label for column in COLUMNS}
