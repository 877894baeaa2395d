"""The words of the KIM consent form (exports/einwilligung*.docx) in German and translations.

German is the legally binding version. The translations (English, Ukrainian, Arabic) follow
its structure sentence by sentence and carry the same placeholders, which ``verbund check``
verifies for every language variant. They have not yet been checked by a sworn translator:
each variant says so (in German, for the staff) until the city has it checked and removes the
line from the template (Verwaltung → Word-Vorlagen).
"""

from __future__ import annotations

from dataclasses import dataclass

from docx_blocks import GERMAN_FRAME, FrameWords

# the staff's reminder in every translation, in German: who must check it before use
TRANSLATION_CHECK = (
    "Übersetzung der deutschen Fassung 2026-01, noch nicht geprüft: vor dem Einsatz von einer "
    "vereidigten Übersetzerin oder einem vereidigten Übersetzer prüfen lassen. Maßgeblich ist "
    "die deutsche Fassung."
)


@dataclass(frozen=True)
class ConsentText:
    """One language of the consent form. Sections are (heading, paragraphs); the exchange
    section is followed by the table of agencies."""

    language: str  # the document language, e.g. "ar-SA"
    right_to_left: bool
    title: str
    subtitle: str
    facts: tuple[str, str, str, str, str]  # case no., client, year of birth, manager, org.
    participation: tuple[str, tuple[str, ...]]
    processing: tuple[str, tuple[str, ...]]
    exchange: tuple[str, tuple[str, ...]]
    agency_columns: tuple[str, str, str]
    withdrawal: tuple[str, tuple[str, ...]]
    interpreter: tuple[str, str]  # the sentence around the language's name
    closing: str
    place: str  # before the date: "Düsseldorf, den "
    client_signature: str
    manager_signature: tuple[str, str]  # around the case manager's name
    frame: FrameWords
    footer_label: str  # the record's kind in the footer: "Fall"
    binding_note: str = ""  # in the translation's own language: German is binding


GERMAN = ConsentText(
    language="de-DE",
    right_to_left=False,
    title="Einwilligungserklärung",
    subtitle="zur Teilnahme am Case Management des Kommunalen Integrationsmanagements (KIM) "
    "und zur Verarbeitung personenbezogener Daten",
    facts=("Fall-Nr.", "Ratsuchende*r", "Geburtsjahr", "Case Manager*in", "Organisation"),
    participation=(
        "1. Freiwillige Teilnahme",
        (
            "Ich möchte am Case Management des Kommunalen Integrationsmanagements der "
            "Landeshauptstadt Düsseldorf teilnehmen. Die Teilnahme ist freiwillig. Wenn ich "
            "nicht einwillige oder meine Einwilligung später widerrufe, entstehen mir dadurch "
            "keine Nachteile bei anderen Leistungen.",
            "Das Case Management informiert mich über meine Rechte und unterstützt mich dabei, "
            "Leistungen in Anspruch zu nehmen. Es trifft keine Entscheidungen anderer Stellen "
            "(zum Beispiel nach SGB II, III, VIII oder XII) und ersetzt nicht die "
            "Beschwerdestelle der Verwaltung.",
        ),
    ),
    processing=(
        "2. Verarbeitung meiner Daten",
        (
            "Ich willige ein, dass die für meine Beratung nötigen Angaben zu meiner Person und "
            "meiner Lebenssituation gespeichert und verarbeitet werden. Dazu können auch "
            "Angaben zu meiner Gesundheit gehören (Art. 6 Abs. 1 lit. a und Art. 9 Abs. 2 "
            "lit. a DSGVO). Die Daten werden nur für das Case Management verwendet; "
            "Auswertungen erfolgen ohne Personenbezug.",
        ),
    ),
    exchange=(
        "3. Austausch mit beteiligten Stellen",
        (
            "Ich willige ein, dass sich meine Case Managerin / mein Case Manager mit den "
            "folgenden Stellen über mein Anliegen austauscht, soweit dies für die Hilfe nötig "
            "ist. Insoweit entbinde ich diese Stellen von ihrer Schweigepflicht "
            "beziehungsweise vom Sozialgeheimnis:",
        ),
    ),
    agency_columns=("Stelle", "Ansprechperson", "Thema"),
    withdrawal=(
        "4. Widerruf",
        (
            "Ich kann diese Einwilligung jederzeit ganz oder teilweise widerrufen, ohne Gründe "
            "zu nennen – mündlich oder schriftlich bei meiner Case Managerin / meinem Case "
            "Manager. Der Widerruf gilt für die Zukunft; was bis dahin geschehen ist, bleibt "
            "rechtmäßig (Art. 7 Abs. 3 DSGVO).",
        ),
    ),
    interpreter=(
        "Diese Erklärung wurde mit Unterstützung einer Sprach- und Kulturmittlung übersetzt "
        "und erläutert (Sprache: ",
        ").",
    ),
    closing="Ich habe diese Erklärung gelesen und verstanden; eine Ausfertigung habe ich erhalten.",
    place="Düsseldorf, den ",
    client_signature="Unterschrift Ratsuchende*r",
    manager_signature=("Unterschrift Case Manager*in (", ")"),
    frame=GERMAN_FRAME,
    footer_label="Fall",
)

ENGLISH = ConsentText(
    language="en-GB",
    right_to_left=False,
    title="Declaration of Consent",
    subtitle="to take part in the case management of the Municipal Integration Management "
    "(KIM) and to the processing of personal data",
    facts=("Case no.", "Client", "Year of birth", "Case manager", "Organisation"),
    participation=(
        "1. Voluntary participation",
        (
            "I would like to take part in the case management of the Municipal Integration "
            "Management of the City of Düsseldorf. Taking part is voluntary. If I do not "
            "consent, or withdraw my consent later, this will not put me at a disadvantage "
            "for any other benefits or services.",
            "The case management informs me about my rights and supports me in using "
            "services. It does not take decisions for other authorities (for example under "
            "the German Social Codes SGB II, III, VIII or XII) and does not replace the "
            "administration's complaints office.",
        ),
    ),
    processing=(
        "2. Processing of my data",
        (
            "I consent to the storage and processing of the information about my person and "
            "my life situation that is needed for my counselling. This may include "
            "information about my health (Art. 6(1)(a) and Art. 9(2)(a) GDPR). The data is "
            "used only for the case management; evaluations are made without reference to "
            "individuals.",
        ),
    ),
    exchange=(
        "3. Exchange with the agencies involved",
        (
            "I consent to my case manager exchanging information about my concern with the "
            "following agencies, as far as this is necessary for the support. To that extent "
            "I release these agencies from their duty of confidentiality and from social "
            "data secrecy:",
        ),
    ),
    agency_columns=("Agency", "Contact person", "Topic"),
    withdrawal=(
        "4. Withdrawal",
        (
            "I can withdraw this consent in whole or in part at any time without giving "
            "reasons – orally or in writing to my case manager. The withdrawal applies to the "
            "future; what happened until then remains lawful (Art. 7(3) GDPR).",
        ),
    ),
    interpreter=(
        "This declaration was translated and explained with the support of a language and "
        "cultural mediator (language: ",
        ").",
    ),
    closing="I have read and understood this declaration; I have received a copy.",
    place="Düsseldorf, ",
    client_signature="Signature of the client",
    manager_signature=("Signature of the case manager (", ")"),
    frame=FrameWords(page="Page", of="of", created="Created on", phase="Phase"),
    footer_label="Case",
    binding_note="Translation of the German version 2026-01. Only the German version is "
    "legally binding.",
)

UKRAINIAN = ConsentText(
    language="uk-UA",
    right_to_left=False,
    title="Заява про згоду",
    subtitle="на участь у кейс-менеджменті Комунального менеджменту інтеграції (KIM) та на "
    "обробку персональних даних",
    facts=("№ справи", "Клієнт / клієнтка", "Рік народження", "Кейс-менеджер/ка", "Організація"),
    participation=(
        "1. Добровільна участь",
        (
            "Я бажаю брати участь у кейс-менеджменті Комунального менеджменту інтеграції міста "
            "Дюссельдорф. Участь є добровільною. Якщо я не надам згоди або пізніше відкличу "
            "свою згоду, це не матиме для мене жодних негативних наслідків щодо інших послуг "
            "і виплат.",
            "Кейс-менеджмент інформує мене про мої права та допомагає мені отримувати "
            "послуги. Він не ухвалює рішень за інші органи (наприклад, згідно з німецькими "
            "соціальними кодексами SGB II, III, VIII або XII) і не замінює службу розгляду "
            "скарг адміністрації.",
        ),
    ),
    processing=(
        "2. Обробка моїх даних",
        (
            "Я погоджуюся на зберігання та обробку відомостей про мою особу та мою життєву "
            "ситуацію, необхідних для моєї консультації. До них можуть належати й відомості "
            "про моє здоров’я (ст. 6 ч. 1 п. a та ст. 9 ч. 2 п. a Загального регламенту про "
            "захист даних, GDPR). Дані використовуються лише для кейс-менеджменту; аналіз "
            "проводиться без прив’язки до особи.",
        ),
    ),
    exchange=(
        "3. Обмін інформацією із залученими установами",
        (
            "Я погоджуюся, щоб мій кейс-менеджер / моя кейс-менеджерка обмінювалися "
            "інформацією щодо мого питання з наведеними нижче установами в обсязі, "
            "необхідному для надання допомоги. У цьому обсязі я звільняю ці установи від "
            "обов’язку зберігати професійну та соціальну таємницю:",
        ),
    ),
    agency_columns=("Установа", "Контактна особа", "Тема"),
    withdrawal=(
        "4. Відкликання згоди",
        (
            "Я можу будь-коли повністю або частково відкликати цю згоду без зазначення "
            "причин – усно або письмово у мого кейс-менеджера / моєї кейс-менеджерки. "
            "Відкликання діє на майбутнє; усе, що відбулося до цього, залишається "
            "правомірним (ст. 7 ч. 3 GDPR).",
        ),
    ),
    interpreter=(
        "Цю заяву було перекладено та пояснено за підтримки мовного та культурного "
        "посередника (мова: ",
        ").",
    ),
    closing="Я прочитав(-ла) і зрозумів(-ла) цю заяву; один примірник я отримав(-ла).",
    place="Дюссельдорф, ",
    client_signature="Підпис клієнта / клієнтки",
    manager_signature=("Підпис кейс-менеджера / кейс-менеджерки (", ")"),
    frame=FrameWords(page="Сторінка", of="з", created="Створено", phase="Етап"),
    footer_label="Справа",
    binding_note="Переклад німецької версії 2026-01. Юридично обов’язковою є лише німецька версія.",
)

ARABIC = ConsentText(
    language="ar-SA",
    right_to_left=True,
    title="إقرار بالموافقة",
    subtitle="على المشاركة في إدارة الحالات ضمن إدارة الاندماج البلدية (KIM) "
    "وعلى معالجة البيانات الشخصية",
    facts=("رقم الحالة", "طالب/ة المشورة", "سنة الميلاد", "مدير/ة الحالة", "الجهة"),
    participation=(
        "1. المشاركة الطوعية",
        (
            "أرغب في المشاركة في إدارة الحالات ضمن إدارة الاندماج البلدية في مدينة دوسلدورف. "
            "المشاركة طوعية. إذا لم أوافق أو سحبت موافقتي لاحقاً، فلن يترتب على ذلك أي ضرر "
            "بالنسبة إلى الخدمات أو المساعدات الأخرى.",
            "تُعلمني إدارة الحالات بحقوقي وتساعدني في الحصول على الخدمات. وهي لا تتخذ قرارات "
            "نيابة عن جهات أخرى (مثلاً وفق كتب قانون الضمان الاجتماعي الألماني SGB II أو III "
            "أو VIII أو XII) ولا تحل محل مكتب الشكاوى في الإدارة.",
        ),
    ),
    processing=(
        "2. معالجة بياناتي",
        (
            "أوافق على حفظ ومعالجة المعلومات المتعلقة بشخصي وبوضعي المعيشي اللازمة لتقديم "
            "المشورة لي. وقد يشمل ذلك معلومات عن صحتي (المادة 6 الفقرة 1 البند أ والمادة 9 "
            "الفقرة 2 البند أ من اللائحة العامة لحماية البيانات). تُستخدم البيانات لإدارة "
            "الحالات فقط، وتتم التقييمات دون الإشارة إلى أشخاص بعينهم.",
        ),
    ),
    exchange=(
        "3. تبادل المعلومات مع الجهات المعنية",
        (
            "أوافق على أن يتبادل مدير/ة الحالة المعلومات حول طلبي مع الجهات التالية بالقدر "
            "اللازم لتقديم المساعدة. وفي هذا النطاق أُعفي هذه الجهات من واجب كتمان السر "
            "ومن سرية البيانات الاجتماعية:",
        ),
    ),
    agency_columns=("الجهة", "الشخص المسؤول عن التواصل", "الموضوع"),
    withdrawal=(
        "4. سحب الموافقة",
        (
            "يمكنني سحب هذه الموافقة كلياً أو جزئياً في أي وقت ودون ذكر الأسباب – شفهياً أو "
            "كتابياً لدى مدير/ة الحالة. يسري السحب على المستقبل، ويبقى ما تم قبل ذلك "
            "مشروعاً (المادة 7 الفقرة 3 من اللائحة العامة لحماية البيانات).",
        ),
    ),
    interpreter=(
        "تُرجم هذا الإقرار وشُرح بمساعدة وسيط/ة لغوي/ة وثقافي/ة (اللغة: ",
        ").",
    ),
    closing="لقد قرأت هذا الإقرار وفهمته، وتسلّمت نسخة منه.",
    place="دوسلدورف، في ",
    client_signature="توقيع طالب/ة المشورة",
    manager_signature=("توقيع مدير/ة الحالة (", ")"),
    frame=FrameWords(page="صفحة", of="من", created="أُنشئ في", phase="المرحلة"),
    footer_label="الحالة",
    binding_note="ترجمة للنسخة الألمانية 2026-01. النسخة الألمانية وحدها هي الملزمة قانونياً.",
)

# template file name -> its words; a variant is einwilligung.<language code>.docx
CONSENT_TEXTS = {
    "einwilligung.docx": GERMAN,
    "einwilligung.en.docx": ENGLISH,
    "einwilligung.uk.docx": UKRAINIAN,
    "einwilligung.ar.docx": ARABIC,
}
