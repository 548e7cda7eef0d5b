"""The browser's name folding (web/static/js/names.js) gives exactly what the server's
(server/people/names.py) gives: vectors from the Python functions, checked by node --test."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from server.people.names import fold, loose, search_terms, transliterate

ROOT = Path(__file__).resolve().parents[2]
NODE_TEST = "tests/js/names.test.js"

NAMES = [
    # Ukrainian, with the three apostrophes people type (ʼ ' ’)
    "Оксана Шевченко", "Андрій Коваленко", "Юлія Ткаченко", "Наталія Бондаренко",
    "Олександр Мельник", "Євген Кравчук", "Ірина Олійник", "Ґанна Гнатюк",
    "Марʼяна Лисенко", "Мар'яна Іваненко", "Мар’яна Шевчук", "Зоряна Щербак",
    "Віталій Зінченко", "Ярослава Пономаренко", "Костянтин Ковальчук", "Любов Савченко",
    "Їжакевич Орест", "Дмитро Гончаренко", "Тетяна Руденко", "Богдан Хмельницький",
    "Сергій Литвиненко", "Олексій Поліщук", "Анастасія Кушнір", "Єлизавета Петренко",
    "Жанна Цибульська", "Федір Шпак", "Григорій Сковорода", "Геннадій Ільїн",
    "Соломія Крушельницька", "Вʼячеслав Підʼячий",
    # Russian
    "Сёмин Алексей", "Дмитрий Иванов", "Наталья Смирнова", "Фёдор Достоевский",
    "Эдуард Лимонов", "Юрий Гагарин", "Ксения Собчак", "Щукин Пётр", "Объедков Артём",
    "Екатерина Волкова", "Михаил Горбачёв", "Вячеслав Подъячев", "Ульяна Лопаткина",
    "Евгений Хабенский",
    # Belarusian
    "Аляксандр Лукашэвіч", "Ўладзімір Караткевіч", "Святлана Алексіевіч",
    "Францішак Багушэвіч", "Наталля Арсеннева", "Янка Купала", "Якуб Колас",
    "Максім Багдановіч", "Ларыса Геніюш", "Алесь Ўсьціновіч",
    # Polish: ąćęłńóśźż in lower and upper case
    "Łukasz Wójcik", "Żaneta Ćwiklińska", "Ścibor Źródłowski", "Grzegorz Brzęczyszczykiewicz",
    "Małgorzata Wąsowska", "Józef Piłsudski", "Szczepan Szczygieł", "Bożena Dąbrowska",
    "Mikołaj Kopernik", "Wisława Szymborska", "Jędrzej Śniadecki", "Zażółć Gęślą Jaźń",
    "ŁUKASZ WÓJCIK", "ŻANETA ĆWIKLIŃSKA", "JĘDRZEJ ŚNIADECKI", "DĄBROWSKA GRAŻYNA",
    "MAŁGORZATA ŹRÓDŁOWSKA", "ANNA ŻÓŁKIEWSKA", "ZAŻÓŁĆ GĘŚLĄ JAŹŃ",
    # Czech and Slovak
    "Antonín Dvořák", "Jiří Šťastný", "Růžena Nováková", "Ľudovít Štúr", "Ďurko Ťažký",
    "Eliška Čermáková", "Ján Kŕčmár", "Ĺubica Kôstková", "ŘEHOŘ ČERNÝ", "Dušan Ľaľo",
    # German
    "Jürgen Müller", "Günther Groß", "Björn Schäfer", "Bärbel Weiß", "Käthe Köhler",
    "MARTIN STRAẞE", "HEINZ GROß", "Hans-Jürgen Östreicher", "Ümit Äbersold",
    # Spanish and Portuguese
    "María José García", "José Ñúñez", "Íñigo Martínez", "Begoña Peñalver", "Raúl Ibáñez",
    "Ángel Güemes", "João Gonçalves", "Conceição Araújo", "Inês Lourenço", "Luís Câmara",
    "Maria da Glória Guimarães", "Sebastião Tomé", "ÂNGELA PÃO",
    # French, Nordic, Croatian
    "François Lefèvre", "Hélène Ménard", "Anaïs Noël", "Zoë Bœuf", "Søren Kierkegaard",
    "Æsa Ørsted", "Đorđe Đurđević", "Šimun Ćorić",
    # Turkish
    "İsmail Yıldız", "Işıl Şahin", "Gülşen Doğan", "Ömer Kılıç", "Şükrü Saraçoğlu",
    "IŞIK ÖZTÜRK", "İLKER ERDOĞAN", "Ayşe Çağlar",
    # Vietnamese, with stacked diacritics
    "Nguyễn Thị Ánh", "Trần Văn Đức", "Phạm Thị Hương", "Lê Quốc Việt", "Đặng Thị Thuỷ",
    "Huỳnh Tấn Phát", "Võ Nguyên Giáp", "Bùi Thị Xuân", "Hồ Xuân Hương", "Ngô Bảo Châu",
    "Phùng Thị Hằng", "Dương Quỳnh Như", "NGUYỄN ĐẶNG ƯỚC",
    # Georgian, Armenian, Greek, Arabic, Persian, Hebrew, Hindi, Chinese
    "ნინო ბერიძე", "გიორგი მაისურაძე", "Արամ Խաչատրյան", "Γιώργος Παπαδόπουλος",
    "ΣΩΚΡΑΤΗΣ ΝΙΚΟΛΑΟΥ", "محمد الأحمد", "فاطمة الزهراء", "إبراهيم عبد الله", "آمنة",
    "مُحَمَّد", "زهرا حسینی", "יוסף כהן", "लक्ष्मी शर्मा", "王小明",
    # Apostrophes, hyphens, spaces, digits, punctuation
    "O'Brien", "D’Angelo", "N'Diaye", "Anna-Maria Kowalska-Nowak", "Жан-Поль Сартр",
    "Jean-Luc Picard", "  Ірина   Мельник  ", "\tOlha\u00a0Petrenko\n", "Anna 2",
    "Jan III Sobieski", "Олена 2005", "Dr. Müller, Jr.", "Klasa 4B", "(Оксана)", "…", "",
    "   ", "-", "’",
]  # fmt: skip

QUERIES = [
    "oksana", "lukasz", "андрій", "andriy", "Andrii", "shchukin", "szczepan", "shchepan",
    "gennadiy", "olexandr", "yevhen", "ievhen", "ivanov dmitry", "strasse", "muller",
    "nguyen thi anh", "dvorak", "yildiz", "a b c d e f g", "ЮЛІЯ", "Marjana", "marʼiana",
]  # fmt: skip


# Also given decomposed (NFD), as some keyboards and copy-paste produce them.
DECOMPOSED = [
    "Nguyễn Thị Ánh", "Trần Văn Đức", "Hồ Xuân Hương", "Ayşe Çağlar", "İsmail Yıldız",
    "Zażółć Gęślą Jaźń", "Jiří Šťastný", "Андрій Їжак", "Сёмин Йосип",
]  # fmt: skip


def _inputs() -> list[str]:
    """The names, some in upper case and some decomposed, and typed queries."""
    variants = [*NAMES, *QUERIES, *(n.upper() for n in NAMES[::4])]
    variants += [unicodedata.normalize("NFD", n) for n in DECOMPOSED]
    return list(dict.fromkeys(variants))


def _vectors() -> list[dict[str, object]]:
    return [
        {
            "input": text,
            "fold": fold(text),
            "loose": loose(text),
            "terms": search_terms(text),
            "transliterate": transliterate(text),
        }
        for text in _inputs()
    ]


def test_vectors_cover_the_letters_that_matter() -> None:
    written = "".join(_inputs())
    assert set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ") <= set(written)
    assert set("абвгґдеєжзиіїйклмнопрстуфхцчшщьюяёъыэў") <= set(written.lower())
    assert set("ßẞıİşğʼ'’") <= set(written)
    assert any(unicodedata.combining(c) for c in written), "no decomposed input"
    assert len(_inputs()) >= 200


def test_names_js_gives_what_python_gives(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail(
            "Node.js is not on PATH: the parity test of web/static/js/names.js needs `node` "
            "(version 20 or later); install it (e.g. apt-get install nodejs) and rerun."
        )
    vectors = tmp_path / "name_vectors.json"
    vectors.write_text(json.dumps(_vectors(), ensure_ascii=False), encoding="utf-8")
    result = subprocess.run(
        [node, "--test", NODE_TEST],
        cwd=ROOT,
        env={**os.environ, "RAZEM_NAME_VECTORS": str(vectors)},
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=60,
    )
    assert result.returncode == 0, (
        f"node --test {NODE_TEST} failed (exit {result.returncode}):\n"
        f"{result.stdout}\n{result.stderr}"
    )
