"""Referral forms. The self-referral steps and the professional form share these classes, so both ask the same
questions in the same words and produce the same IntakeRequest."""

from __future__ import annotations

from django import forms

from carehub.core.choices import AbuseType, Community, Language, ServiceType
from carehub.core.forms import DatePartsField, choices_with_blank
from carehub.core.london import BOROUGH_CHOICES
from carehub.people import monitoring as eq
from carehub.people.models import Identity
from carehub.referrals import dash, intake
from carehub.referrals.models import (
    Channel,
    ChildrensServicesAware,
    DeclineReason,
    PerpetratorRelationship,
    PolicePerpetrator,
    RecipientKind,
    WorkerGender,
)
from carehub.referrals.services import (
    IntakeRequest,
    ReferralDetails,
    Referrer,
    SafeContact,
    SharingConsent,
    TriageInput,
)

ROUTABLE_SERVICE_TYPES = [(v, label) for v, label in ServiceType.choices if v != ServiceType.INDEPENDENT_ADVISORY]
RELATIONSHIPS = PerpetratorRelationship.choices
NRPF_CHOICES = [("no", "No"), ("yes", "Yes"), ("not_sure", "Not sure")]

# The two channels a page takes referrals in through (build_request); pages name them here, not from models.
SELF, PROFESSIONAL = Channel.SELF, Channel.PROFESSIONAL


class AboutYouForm(forms.Form):
    given_name = forms.CharField(label="First name", max_length=100, required=False)
    family_name = forms.CharField(label="Last name", max_length=100, required=False)
    known_as = forms.CharField(
        label="Or a name we can use",
        max_length=100,
        required=False,
        help_text="If you would rather not give your full name, tell us what to call you.",
    )
    date_of_birth = DatePartsField(label="Date of birth", required=False, help_text="For example, 27 3 1987")
    borough = forms.ChoiceField(
        label="Which London borough do you live in?",
        required=False,
        choices=choices_with_blank([*BOROUGH_CHOICES, ("outside", "Outside London")], "Choose a borough"),
    )
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)

    def clean(self):
        data = super().clean()
        if not (data.get("given_name") or data.get("family_name") or data.get("known_as")):
            self.add_error("given_name", "Enter your first name, or a name we can use.")
        return data


class ContactForm(forms.Form):
    methods = forms.MultipleChoiceField(
        label="How is it safe for us to contact you?",
        help_text="Select all that are safe.",
        choices=[("phone", "Phone call"), ("text", "Text message"), ("email", "Email"), ("voicemail", "Voicemail")],
        widget=forms.CheckboxSelectMultiple,
    )
    phone = forms.CharField(label="Phone number", max_length=30, required=False)
    email = forms.EmailField(
        label="Email address",
        required=False,
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"},
    )
    safe_times = forms.CharField(
        label="When is it safe to contact you?",
        max_length=200,
        required=False,
        help_text="For example, weekdays between 10am and 12pm.",
    )
    safe_word = forms.CharField(
        label="A safe word",
        max_length=50,
        required=False,
        help_text="If someone else answers, we will only talk to a person who knows this word.",
    )
    others_who_may_answer = forms.CharField(
        label="Who else might answer your phone or read your messages?",
        max_length=200,
        required=False,
        help_text="For example, my sister may answer; my partner reads my texts.",
    )

    def clean(self):
        data = super().clean()
        methods = set(data.get("methods") or [])
        if methods & {"phone", "text", "voicemail"} and not data.get("phone"):
            self.add_error("phone", "Enter a phone number, or untick phone, text and voicemail.")
        if "email" in methods and not data.get("email"):
            self.add_error("email", "Enter an email address, or untick email.")
        return data

    def safe_contact(self) -> SafeContact:
        methods = set(self.cleaned_data.get("methods") or [])
        return SafeContact(
            phone_ok="phone" in methods,
            text_ok="text" in methods,
            email_ok="email" in methods,
            voicemail_ok="voicemail" in methods,
            safe_times=self.cleaned_data.get("safe_times", ""),
            safe_word=self.cleaned_data.get("safe_word", ""),
            others_who_may_answer=self.cleaned_data.get("others_who_may_answer", ""),
        )


class SituationForm(forms.Form):
    abuse_types = forms.MultipleChoiceField(
        label="What has been happening?",
        help_text="Select all that apply.",
        required=False,
        choices=AbuseType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    perpetrator_relationship = forms.ChoiceField(
        label="Who is hurting you?", required=False, choices=choices_with_blank(RELATIONSHIPS, "Choose one")
    )
    perpetrator_police = forms.ChoiceField(
        label="Is this person a police officer or police staff, now or in the past?",
        help_text=(
            "If so, your referral goes only to an independent advisory service run by a specialist women's "
            "organisation. The police will not see it."
        ),
        choices=[
            (PolicePerpetrator.NO, "No"),
            (PolicePerpetrator.SERVING, "Yes, a serving police officer"),
            (PolicePerpetrator.FORMER, "Yes, a former police officer"),
            (PolicePerpetrator.STAFF, "Yes, police staff"),
            (PolicePerpetrator.UNKNOWN, "I'm not sure"),
        ],
        initial=PolicePerpetrator.NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the person hurting you is or was a police officer or staff."},
    )


class AgencySituationForm(SituationForm):
    """The same questions in an agency's words (about her, not to her), and what only an agency can tell us."""

    summary = forms.CharField(
        label="What has happened?",
        help_text="A short account in your words. Only the people supporting her will read it.",
        required=False,
        max_length=4000,
        widget=forms.Textarea,
    )
    agency_reference = forms.CharField(
        label="Your own reference",
        help_text="For example, a police CAD or CRIS number, or your case number, so we can follow up with you.",
        required=False,
        max_length=50,
    )
    children_count = forms.IntegerField(
        label="How many children live in her household?",
        help_text="Enter 0 if none.",
        required=False,
        min_value=0,
        max_value=20,
        error_messages={
            "invalid": "Enter the number of children as a whole number, like 2.",
            "min_value": "Enter 0 or more.",
            "max_value": "Enter 20 or fewer.",
        },
    )
    children_ages = forms.CharField(
        label="Their ages", help_text="For example, 3 and 7.", required=False, max_length=100
    )
    childrens_services_aware = forms.ChoiceField(
        label="Do children's services know about the children?",
        required=False,
        choices=ChildrensServicesAware.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["abuse_types"].label = "What has been happening to her?"
        self.fields["perpetrator_relationship"].label = "Who is hurting her?"
        self.fields[
            "perpetrator_police"
        ].label = "Is the person hurting her a police officer or police staff, now or in the past?"
        self.fields["perpetrator_police"].help_text = (
            "If so, the referral goes only to an independent advisory service run by a specialist women's "
            "organisation, and it will not appear in your list of sent referrals."
        )
        self.fields["perpetrator_police"].error_messages["required"] = (
            "Select whether the person hurting her is or was a police officer or staff."
        )


class SupportForm(forms.Form):
    needs = forms.MultipleChoiceField(
        label="What support would help?",
        help_text="Select all that apply.",
        required=False,
        choices=ROUTABLE_SERVICE_TYPES,
        widget=forms.CheckboxSelectMultiple,
    )
    wants_by_and_for = forms.ChoiceField(
        label="Would you like support from a service led by and for your community?",
        required=False,
        choices=[("", "No preference"), *Community.choices],
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label="Which language would you like to be supported in?",
        required=False,
        choices=choices_with_blank(Language.choices, "English"),
    )
    interpreter_needed = forms.BooleanField(label="I would need an interpreter", required=False)
    worker_gender = forms.ChoiceField(
        label="Would you prefer your worker to be",
        required=False,
        choices=WorkerGender.choices,
        initial=WorkerGender.NO_PREFERENCE,
        widget=forms.RadioSelect,
    )
    has_nrpf = forms.ChoiceField(
        label="Do you have No Recourse to Public Funds?",
        help_text="This means you cannot claim most benefits because of your immigration status.",
        required=False,
        choices=NRPF_CHOICES,
        widget=forms.RadioSelect,
    )


def _optional_choice(label: str, choices, *, radios: bool = True, help_text: str = "") -> forms.ChoiceField:
    widget = forms.RadioSelect if radios else forms.Select
    shown = list(choices) if radios else choices_with_blank(choices, "Not answered")
    return forms.ChoiceField(label=label, choices=shown, required=False, widget=widget, help_text=help_text)


class EqualityForm(forms.Form):
    """ONS 2021 questions. Every one is optional and offers "Prefer not to say"."""

    ethnicity = _optional_choice("What is your ethnic group?", eq.Ethnicity.choices, radios=False)
    sex = _optional_choice("What is your sex?", eq.Sex.choices)
    gender_same_as_sex = _optional_choice(
        "Is the gender you identify with the same as your sex registered at birth?", eq.GenderSameAsSex.choices
    )
    gender_identity = _optional_choice("How do you describe your gender?", eq.GenderIdentity.choices, radios=False)
    sexual_orientation = _optional_choice(
        "Which of the following best describes your sexual orientation?", eq.SexualOrientation.choices, radios=False
    )
    disability = _optional_choice(
        "Are your day-to-day activities limited because of a health problem or disability?", eq.Disability.choices
    )
    religion = _optional_choice("What is your religion?", eq.Religion.choices, radios=False)
    pregnancy = _optional_choice(
        "Are you pregnant or have you had a baby in the last 18 months?", eq.PregnancyMaternity.choices
    )
    immigration_status = _optional_choice(
        "What is your immigration status?",
        eq.ImmigrationStatus.choices,
        radios=False,
        help_text="This helps us find services that can support you. We never share it with the Home Office.",
    )

    def equality_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v}


class ConsentForm(forms.Form):
    consent_to_referral = forms.BooleanField(
        label="The survivor agrees to this referral",
        required=True,
        error_messages={"required": "The survivor must agree to the referral before you send it."},
    )
    # Kinds of organisation, never a list of every organisation: she agrees to the kind of help, and the list would
    # offer bodies that never receive referrals (commissioners, funders, police).
    share_with = forms.MultipleChoiceField(
        label="She agrees that information may be shared with",
        help_text="Select all that she agrees to.",
        required=False,
        choices=RecipientKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    sharing_expires_on = DatePartsField(label="Sharing consent ends on", required=False, past_only=False)


class ReferrerForm(forms.Form):
    referrer_name = forms.CharField(label="Your name", max_length=200)
    referrer_role = forms.CharField(label="Your role", max_length=200, required=False)
    referrer_phone = forms.CharField(label="Your phone number", max_length=30, required=False)
    referrer_email = forms.EmailField(label="Your email address", required=False)


SELF_REFERRAL_STEPS: tuple[tuple[str, str, type[forms.Form]], ...] = (
    ("about", "About you", AboutYouForm),
    ("contact", "Contacting you safely", ContactForm),
    ("situation", "What is happening", SituationForm),
    ("support", "The support you would like", SupportForm),
    ("equality", "About you (optional)", EqualityForm),
)


def build_request(channel: str, data: dict[str, forms.Form], *, referrer: Referrer | None = None) -> IntakeRequest:
    """One IntakeRequest from valid forms, whichever channel they came from."""
    about = data["about"].cleaned_data
    situation = data["situation"].cleaned_data
    support = data["support"].cleaned_data
    contact_form: ContactForm = data["contact"]
    consent = data.get("consent")
    borough = about.get("borough") or ""
    return IntakeRequest(
        channel=channel,
        identity=Identity(
            given_name=about.get("given_name", ""),
            family_name=about.get("family_name", ""),
            known_as=about.get("known_as", ""),
            date_of_birth=about.get("date_of_birth"),
            phone=contact_form.cleaned_data.get("phone", ""),
            email=contact_form.cleaned_data.get("email", ""),
            postcode=about.get("postcode", ""),
        ),
        details=ReferralDetails(
            borough="" if borough == "outside" else borough,
            age=intake.age_on(about.get("date_of_birth")),
            abuse_types=situation.get("abuse_types") or [],
            needs=support.get("needs") or [],
            wants_by_and_for=support.get("wants_by_and_for") or "",
            language=support.get("language") or "",
            interpreter_needed=bool(support.get("interpreter_needed")),
            has_nrpf=support.get("has_nrpf") == "yes",
            worker_gender=support.get("worker_gender") or "",
            perpetrator_relationship=situation.get("perpetrator_relationship") or "",
            perpetrator_police=situation.get("perpetrator_police") or PolicePerpetrator.NO,
            agency_reference=situation.get("agency_reference") or "",
            children_count=situation.get("children_count"),
            children_ages=situation.get("children_ages") or "",
            childrens_services_aware=situation.get("childrens_services_aware") or "",
            summary=situation.get("summary") or "",
        ),
        contact=contact_form.safe_contact(),
        equality=data["equality"].equality_fields(),
        referrer=referrer,
        consent_to_referral=bool(consent.cleaned_data["consent_to_referral"]) if consent else channel == Channel.SELF,
        sharing=[
            SharingConsent(expires_on=consent.cleaned_data.get("sharing_expires_on"), recipient_kind=kind)
            for kind in (consent.cleaned_data.get("share_with") or [])
        ]
        if consent
        else [],
    )


class TriageForm(forms.Form):
    """The DASH checklist, the MARAC questions, and the needs found in conversation with her."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    fears = forms.CharField(label="What is she afraid of?", required=False, widget=forms.Textarea, max_length=2000)
    professional_judgement = forms.BooleanField(label="I judge this to be high risk whatever the score", required=False)
    professional_judgement_reason = forms.CharField(
        label="Reason for your professional judgement", required=False, widget=forms.Textarea, max_length=2000
    )
    police_callouts_12_months = forms.IntegerField(
        label="Police call-outs in the last 12 months",
        min_value=0,
        max_value=200,
        initial=0,
        error_messages={"min_value": "Enter 0 or more.", "invalid": "Enter a whole number, like 2."},
    )
    same_perpetrator_as_last_marac = forms.BooleanField(
        label="Same perpetrator as her last MARAC referral (if any)", required=False
    )
    needs = SupportForm.base_fields["needs"]
    wants_by_and_for = SupportForm.base_fields["wants_by_and_for"]
    language = SupportForm.base_fields["language"]
    interpreter_needed = SupportForm.base_fields["interpreter_needed"]
    worker_gender = SupportForm.base_fields["worker_gender"]
    has_nrpf = SupportForm.base_fields["has_nrpf"]
    age = forms.IntegerField(label="Her age", required=False, min_value=0, max_value=120)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for number, question in enumerate(dash.questions(), start=1):
            self.fields[f"q{number}"] = forms.ChoiceField(
                label=f"{number}. {question}",
                choices=[(a, dash.ANSWER_LABELS[a]) for a in dash.ANSWERS],
                widget=forms.RadioSelect,
                error_messages={"required": f"Answer question {number}: yes, no or don't know."},
            )

    def dash_fields(self):
        return [self[f"q{n}"] for n in range(1, dash.QUESTION_COUNT + 1)]

    def triage_input(self) -> TriageInput:
        data = self.cleaned_data
        return TriageInput(
            answers={n: data[f"q{n}"] for n in range(1, dash.QUESTION_COUNT + 1)},
            fears=data.get("fears", ""),
            professional_judgement=data.get("professional_judgement", False),
            professional_judgement_reason=data.get("professional_judgement_reason", ""),
            police_callouts_12_months=data.get("police_callouts_12_months") or 0,
            same_perpetrator_as_last_marac=data.get("same_perpetrator_as_last_marac", False),
            details=ReferralDetails(
                needs=data.get("needs") or [],
                wants_by_and_for=data.get("wants_by_and_for") or "",
                language=data.get("language") or "",
                interpreter_needed=data.get("interpreter_needed", False),
                has_nrpf=data.get("has_nrpf") == "yes",
                worker_gender=data.get("worker_gender") or "",
                age=data.get("age"),
            ),
        )


class OfferForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    service = forms.IntegerField(widget=forms.HiddenInput)
    hub_reason = forms.CharField(
        label="Why this service?",
        max_length=1000,
        widget=forms.Textarea,
        error_messages={"required": "Say why you chose this service."},
    )


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why can your service not take this referral?",
        choices=DeclineReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why your service cannot take this referral."},
    )
    detail = forms.CharField(
        label="More detail (needed for another reason)",
        max_length=1000,
        required=False,
        widget=forms.Textarea,
    )

    def clean(self):
        data = super().clean()
        if data.get("reason") == DeclineReason.OTHER and not data.get("detail", "").strip():
            self.add_error("detail", "Say why your service cannot take this referral.")
        return data

    def reason_label(self) -> str:
        return DeclineReason(self.cleaned_data["reason"]).label


class ConsentWithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why is she withdrawing her consent?",
        help_text="In her words if you can. Only the people supporting her will read it.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why she is withdrawing her consent."},
    )
