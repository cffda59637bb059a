"""The help centre's questions and answers, as data: grouped by topic, each with a slug.

Every text is ``gettext_lazy``, so the answers are translated with the rest of the site.
Each answer ends with the pages of Carnet where the person does what it explains (URL
names, reversed when shown). Answers say what Carnet does and where; they never give
medical advice: health questions go to a health professional, emergencies to 15 or 112.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Link:
    url_name: str  # a Django URL name, or "tel:NUMBER" for a phone number
    label: str


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    paragraphs: tuple[str, ...]
    links: tuple[Link, ...] = ()
    # Other words people use for the same thing (searched, never shown).
    keywords: str = ""
    topic: str = field(default="", compare=False)


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    articles: tuple[Article, ...]


def _a(slug, title, paragraphs, links=(), keywords="") -> Article:
    return Article(slug, title, tuple(paragraphs), tuple(Link(*x) for x in links), keywords)


_TOPICS = (
    Topic(
        "urgence",
        _("In an emergency"),
        (
            _a(
                "urgence",
                _("What to do in an emergency"),
                [
                    _(
                        "Carnet is not an emergency service and nobody watches it day and "
                        "night. If your life or someone else's is in danger, call now."
                    ),
                    _(
                        "15: SAMU, medical emergencies. 112: any emergency, from any phone, "
                        "anywhere in Europe. 114: emergencies for deaf and hard-of-hearing "
                        "people, by SMS, video or the 114 app. 3114: suicide prevention, free, "
                        "day and night."
                    ),
                    _(
                        "The help centre and the advisors answer questions about using "
                        "Carnet, within a few days. They cannot help in an emergency and do "
                        "not give medical advice."
                    ),
                ],
                [
                    ("tel:15", _("Call 15 (SAMU)")),
                    ("tel:112", _("Call 112 (European emergency number)")),
                    ("tel:114", _("114 for deaf and hard-of-hearing people")),
                    ("tel:3114", _("Call 3114 (suicide prevention)")),
                ],
                _("emergency urgent SAMU ambulance danger chest pain suicide help now"),
            ),
            _a(
                "carte-urgence",
                _("The emergency card"),
                [
                    _(
                        "Your emergency card fits in a wallet. Its QR code lets a health "
                        "professional who signs in to Carnet read the information that "
                        "matters to save you: allergies, current health problems and "
                        "treatments, blood group, advance directives and the people to call."
                    ),
                    _(
                        "You are told at once when someone opens it, and the access history "
                        "shows who did and why. Lost your card? Make a new one: the old code "
                        "stops working at once. You can also refuse emergency access "
                        "altogether."
                    ),
                ],
                [
                    ("coffre:emergency_settings", _("If something happens to me")),
                    ("records:card", _("See and print my emergency card")),
                ],
                _("QR code wallet break glass emergency access refuse"),
            ),
        ),
    ),
    Topic(
        "compte",
        _("Signing in and my account"),
        (
            _a(
                "connexion",
                _("I cannot sign in"),
                [
                    _(
                        "You sign in with your email address and your password. Forgot your "
                        "password? Ask for a new one: you receive a link by email."
                    ),
                    _(
                        "After 30 minutes without use, or 12 hours after you signed in, you "
                        "are signed out to protect your record: sign in again."
                    ),
                    _(
                        "Still stuck? An advisor at a public help point (France Services, "
                        "town hall) can help you, face to face."
                    ),
                ],
                [
                    ("account_login", _("Sign in")),
                    ("account_reset_password", _("I forgot my password")),
                ],
                _("login password forgotten lost email connection signed out session"),
            ),
            _a(
                "double-authentification",
                _("The second step when I sign in"),
                [
                    _(
                        "A second step protects your record even if someone learns your "
                        "password: a six-digit code from an app on your phone, or a passkey "
                        "(your fingerprint, face or screen lock)."
                    ),
                    _(
                        "Keep your recovery codes on paper, somewhere safe: each one lets you "
                        "in once if you lose your phone. Health professionals must set up a "
                        "second step."
                    ),
                ],
                [
                    ("mfa_index", _("Two-step sign-in: see what is set up")),
                    ("mfa_activate_totp", _("Use a code app on my phone")),
                    ("mfa_view_recovery_codes", _("My recovery codes")),
                ],
                _("MFA 2FA two-factor TOTP code app passkey fingerprint recovery lost phone"),
            ),
            _a(
                "telecharger-fermer",
                _("Download my record or close my account"),
                [
                    _(
                        "You can download your whole record at any time: a zip with every "
                        "document, or a standard file (FHIR) that another health service can "
                        "read."
                    ),
                    _(
                        "Closing your account destroys the key that protects your data: from "
                        "that moment, nobody can read it any more, not even from a backup. "
                        "Then everything is deleted. Download your record first if you want "
                        "to keep it. This cannot be undone."
                    ),
                ],
                [
                    ("records:export", _("Download my record")),
                    ("accounts:close", _("Close my account")),
                ],
                _("export download delete erase close account leave right to be forgotten"),
            ),
            _a(
                "vieux-telephone",
                _("An old phone, a poor connection"),
                [
                    _(
                        "Carnet needs no app to install: it works in the web browser of a "
                        "phone, a tablet or a computer, even a small or old one. Pages are "
                        "light and load nothing from other sites."
                    ),
                    _(
                        "Where the network is poor, print your emergency card and your "
                        "summary before you need them: they work on paper. You can also use "
                        "the computers and the help of an advisor at a public help point."
                    ),
                ],
                [
                    ("records:summary", _("My summary, to print or download")),
                    ("records:card", _("My emergency card")),
                ],
                _("old phone slow network offline no signal computer town hall print paper"),
            ),
        ),
    ),
    Topic(
        "partage",
        _("Who sees my record"),
        (
            _a(
                "qui-voit",
                _("Who can see my record?"),
                [
                    _(
                        "You, and only the people you choose: your médecin traitant, who sees "
                        "the whole record, and the health professionals you share with, for "
                        "what you chose and for as long as you chose."
                    ),
                    _(
                        "A relative sees it only if you gave them a proxy. In an emergency, a "
                        "health professional can read your emergency information, unless you "
                        "refused it; you are told at once."
                    ),
                    _(
                        "Every look is written in your access history: who, when and why. "
                        "Nobody can erase it. The advisors who answer questions here cannot "
                        "see your record."
                    ),
                ],
                [
                    ("coffre:sharing", _("Who sees my record")),
                    ("coffre:history", _("My access history")),
                ],
                _("privacy access history who looked confidential doctor see"),
            ),
            _a(
                "partager",
                _("Share with a doctor, and take it back"),
                [
                    _(
                        "Find the health professional by name, then choose what they see "
                        "(for example only your measurements) and for how long. They see it "
                        "at once."
                    ),
                    _(
                        "A professional can also ask you for access: you accept or refuse in "
                        "Carnet, or by answering the SMS you receive."
                    ),
                    _(
                        "You can withdraw an access at any time, without giving a reason, or "
                        "take everything back at once."
                    ),
                ],
                [
                    ("coffre:sharing_practitioners", _("Share with a health professional")),
                    ("coffre:sharing", _("Who sees my record, and take it back")),
                ],
                _(
                    "share doctor physician practitioner grant revoke withdraw stop access "
                    "médecin traitant request SMS"
                ),
            ),
            _a(
                "masquer",
                _("Hide one item from others"),
                [
                    _(
                        "Item by item, you choose who besides you may see it: for example, "
                        "hide a result from everyone except your médecin traitant, or from "
                        "emergencies."
                    ),
                    _(
                        "A hidden item stays in your record and you still see it. Tell the "
                        "health professionals who care for you if something they need is "
                        "hidden."
                    ),
                ],
                [("coffre:sharing_items", _("Who sees each item"))],
                _("hide mask private secret item document result confidential"),
            ),
            _a(
                "jamais",
                _("What Carnet never does"),
                [
                    _(
                        "Carnet never sells your data and shows no advertising. Banks, "
                        "insurers, employers and marketers cannot have an account: nothing "
                        "in Carnet can give them access to your record."
                    ),
                    _(
                        "Your record is encrypted with a key of its own. Emails and SMS from "
                        "Carnet never contain anything about your health: they only tell you "
                        "to open Carnet."
                    ),
                    _(
                        "No robot answers your health questions here: advisors are people, "
                        "and medical questions go to your health professionals."
                    ),
                ],
                [("coffre:history", _("My access history"))],
                _(
                    "sell data insurer insurance employer bank advertising marketing hacked encryption"
                ),
            ),
        ),
    ),
    Topic(
        "proches",
        _("Relatives and children"),
        (
            _a(
                "procuration",
                _("Help a parent, or let a relative help me"),
                [
                    _(
                        "A proxy lets a relative you trust use your Carnet for you: read your "
                        "record, book appointments or write to your doctors, depending on what "
                        "you allow. You can withdraw it at any time."
                    ),
                    _(
                        "When you help someone, their space appears under My relatives: you "
                        "switch to it, and a banner reminds you whose record you are using. "
                        "What you do is written in their access history."
                    ),
                ],
                [
                    ("coffre:proxies", _("My proxies")),
                    ("coffre:spaces", _("My relatives")),
                ],
                _(
                    "proxy parent father mother elderly relative caregiver daughter son help someone"
                ),
            ),
            _a(
                "enfant",
                _("A record for my child"),
                [
                    _(
                        "A parent can create a record for a child who has no account: "
                        "vaccinations, growth, documents. You manage it from My relatives."
                    ),
                ],
                [("coffre:child_add", _("Create a record for my child"))],
                _("child baby minor kid son daughter vaccinations"),
            ),
        ),
    ),
    Topic(
        "dossier",
        _("My record and my documents"),
        (
            _a(
                "importer",
                _("Add documents and files"),
                [
                    _(
                        "Add a PDF or a photo of a document (up to 15 MB): a prescription, a "
                        "letter, a result. Or import a file: the summary from Mon espace santé "
                        "or the DMP, a standard health file (FHIR), or the files of a watch or "
                        "a sports app (FIT, GPX, TCX, Apple Health)."
                    ),
                    _(
                        "If a file is refused, nothing is added, and a message says which "
                        "item is at fault. You can also type an entry yourself: a vaccine, a "
                        "treatment, an allergy, a measurement."
                    ),
                ],
                [
                    ("records:documents", _("My documents")),
                    ("records:import", _("Import a file")),
                    ("records:entry_index", _("Add an entry myself")),
                ],
                _("import upload document PDF photo scan DMP watch sport Apple Health file add"),
            ),
        ),
    ),
    Topic(
        "rappels",
        _("Reminders and calendar"),
        (
            _a(
                "rappels",
                _("Reminders and quiet hours"),
                [
                    _(
                        "Carnet reminds you of vaccines that are due, check-ups and treatments "
                        "to renew, from what is in your record. You can snooze a reminder or "
                        "turn it off."
                    ),
                    _(
                        "You are told in the app, and by email, SMS or on your phone if you "
                        "chose it. During your quiet hours, messages wait until the end of "
                        "them, except when someone opens your record in an emergency. "
                        "Messages never contain health details."
                    ),
                ],
                [
                    ("reminders:index", _("My reminders")),
                    ("notify:preferences", _("How and when I am told")),
                ],
                _("reminder notification vaccine due alert SMS email night quiet snooze"),
            ),
            _a(
                "calendrier",
                _("See my appointments in my phone's calendar"),
                [
                    _(
                        "Carnet gives you a private calendar address to add to your phone's "
                        "or computer's calendar. Your appointments and reminders then appear "
                        "there."
                    ),
                    _(
                        "By default it shows no health detail. Keep the address private; if "
                        "it leaks, make a new one and the old one stops working."
                    ),
                ],
                [
                    ("reminders:feed", _("My calendar address")),
                    ("reminders:agenda", _("My agenda")),
                ],
                _("calendar iCal ics agenda Google Outlook phone subscribe"),
            ),
        ),
    ),
    Topic(
        "soins",
        _("Appointments and messages"),
        (
            _a(
                "rendez-vous",
                _("Book, move or cancel an appointment"),
                [
                    _(
                        "You book with the health professionals who use Carnet and publish "
                        "their hours. You receive a confirmation, and you can move or cancel "
                        "the appointment from the same page."
                    ),
                ],
                [("care:appointments", _("My appointments"))],
                _("appointment booking book cancel move doctor visit"),
            ),
            _a(
                "messages",
                _("Write to my doctor"),
                [
                    _(
                        "You can write to the health professionals you share your record "
                        "with. Each says when they answer and how quickly. A message is not "
                        "for emergencies."
                    ),
                ],
                [("care:conversations", _("My messages"))],
                _("message write doctor question chat contact"),
            ),
        ),
    ),
    Topic(
        "pro",
        _("For health professionals"),
        (
            _a(
                "pro-patients",
                _("Seeing my patients' records"),
                [
                    _(
                        "You see the records your patients share with you, for what they "
                        "chose and as long as they allow. Without a share, ask the patient: "
                        "they accept or refuse your request in Carnet or by SMS."
                    ),
                    _(
                        "Every look is written in the patient's access history. In an "
                        "emergency, you can open the emergency information after stating a "
                        "reason; the patient is told."
                    ),
                ],
                [
                    ("coffre:pro_patients", _("My patients")),
                    ("coffre:emergency", _("Emergency access")),
                ],
                _("practitioner professional patient access request RPPS emergency"),
            ),
        ),
    ),
)


def _with_topics() -> tuple[Topic, ...]:
    out = []
    for topic in _TOPICS:
        arts = tuple(
            Article(a.slug, a.title, a.paragraphs, a.links, a.keywords, topic.slug)
            for a in topic.articles
        )
        out.append(Topic(topic.slug, topic.title, arts))
    return tuple(out)


TOPICS: tuple[Topic, ...] = _with_topics()
ARTICLES: dict[str, Article] = {a.slug: a for t in TOPICS for a in t.articles}
TOPIC_TITLES = {t.slug: t.title for t in TOPICS}


def get(slug: str) -> Article | None:
    return ARTICLES.get(slug)


def all_articles() -> list[Article]:
    return list(ARTICLES.values())
