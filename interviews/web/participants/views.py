"""The team's panel pages: the participant list, a profile, consent, invites."""
# One module over 400 lines: the profile and the forms on it share its re-render on a refusal.

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for

from interviews.compensation import service as compensation
from interviews.errors import DomainError, InvalidInput, refuse_all
from interviews.flows import invites as inviting
from interviews.money import KIND_LABELS, RewardKind
from interviews.notes import takeaways
from interviews.participants import consent, invites, privacy
from interviews.participants import service as participants
from interviews.participants.models import ConsentKind
from interviews.scheduling import cooldown, team
from interviews.studies import service as studies
from interviews.studies.models import StudyStatus
from interviews.web import Refused, editor_required, id_from, login_required, named_message
from interviews.web.accounts.forms import EmptyForm

bp = Blueprint("participants", __name__, url_prefix="/participants")
# An override always gives something: "none" is the study's business, not one person's.
REWARD_KINDS = [(k.value, KIND_LABELS[k]) for k in RewardKind if k is not RewardKind.NONE]

CONSENT_LABELS = {
    ConsentKind.RESEARCH: "Research interview and notes",
    ConsentKind.RECORDING: "Recording of calls",
    ConsentKind.CONTACT: "Invitations to future research",
}


# The longest search the panel reads (the search box's maxlength): longer is cut, never refused.
SEARCH_LIMIT = 200


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 100_000 else 1


@bp.get("")
@login_required
def index():
    """The panel: search by name, company or role; filter by segment."""
    q = request.args.get("q", "")[:SEARCH_LIMIT]
    segment = request.args.get("segment", "")[:60]
    page_number = _page_number()
    page = participants.search(
        g.member.workspace_id,
        q=q,
        segment=segment,
        limit=participants.PAGE_SIZE,
        offset=(page_number - 1) * participants.PAGE_SIZE,
    )
    return render_template(
        "participants/index.html",
        page=page,
        q=q,
        segment=segment,
        page_number=page_number,
        pages=max(1, -(-page.total // participants.PAGE_SIZE)),
        search_limit=SEARCH_LIMIT,
    )


def _posted_draft() -> participants.ParticipantDraft:
    keys = request.form.getlist("attribute_key")
    values = request.form.getlist("attribute_value")
    pairs = [(key, values[i] if i < len(values) else "") for i, key in enumerate(keys)]
    return participants.ParticipantDraft(
        name=request.form.get("name", ""),
        email=request.form.get("email", ""),
        phone=request.form.get("phone", ""),
        timezone=request.form.get("timezone", "") or "UTC",
        company=request.form.get("company", ""),
        role=request.form.get("role", ""),
        segment=request.form.get("segment", ""),
        # Rows left empty are not attributes; the rest keep their places, so attribute N
        # of a problem is row N of the re-rendered form.
        attributes=tuple((k, v) for k, v in pairs if k.strip() or v.strip()),
    )


def _attribute_rows(draft: participants.ParticipantDraft) -> list[tuple[str, str]]:
    # Three empty rows to add attributes without scripts.
    return list(draft.attributes) + [("", "")] * 3


def _edit_form(
    participant: participants.ParticipantView | None,
    draft: participants.ParticipantDraft | None,
    error: DomainError | None = None,
):
    """The profile form, empty, as saved, or refused by ``error`` with ``draft`` as typed:
    every problem at the top and at its input."""
    if draft is None:
        draft = participants.ParticipantDraft(
            name=participant.name if participant else "",
            email=participant.email if participant else "",
            phone=participant.phone if participant else "",
            timezone=participant.timezone if participant else "UTC",
            company=participant.company if participant else "",
            role=participant.role if participant else "",
            segment=participant.segment if participant else "",
            attributes=tuple(participant.attributes.items()) if participant else (),
        )
    rows = _attribute_rows(draft)
    refused = None
    if error is not None:
        if error.status_code >= 500:
            raise error
        on_page = set(participants.LABELS) | {
            f"attribute-{part}-{n}" for part in ("key", "value") for n in range(1, len(rows) + 1)
        }
        refused = Refused.of(error, {name: name for name in on_page}, "profile")
        refused.errors = [
            (where, named_message(participants.LABELS.get(where, ""), message))
            for where, message in refused.errors
        ]
    return render_template(
        "participants/form.html",
        participant=participant,
        draft=draft,
        rows=rows,
        refused=refused,
        limits=participants.LIMITS,
        attribute_limits=(participants.MAX_ATTRIBUTE_KEY, participants.MAX_ATTRIBUTE_VALUE),
        form=EmptyForm(),
    ), _refusal_status(error)


def _refusal_status(error: DomainError | None) -> int:
    """200 for a page not refused; 422 for what was typed; a refusal about the state of
    things (erased meanwhile, already withdrawn) keeps its own status, 409 or 404."""
    if error is None:
        return 200
    return 422 if isinstance(error, InvalidInput) else error.status_code


def _expired() -> InvalidInput:
    return InvalidInput("The form expired: send it again.")


@bp.route("/new", methods=["GET", "POST"])
@editor_required
def new():
    """Add someone to the panel by hand."""
    if request.method == "GET":
        return _edit_form(None, None)
    draft = _posted_draft()
    try:
        if not EmptyForm().validate_on_submit():
            raise _expired()
        created = participants.create_participant(g.member, draft)
    except DomainError as error:
        # Re-rendered, not redirected: everything typed stays, every problem is shown.
        return _edit_form(None, draft, error)
    flash(f"{created.name} is on the panel.", "success")
    return redirect(url_for("participants.show", participant_id=created.id))


@bp.route("/<int:participant_id>/edit", methods=["GET", "POST"])
@editor_required
def edit(participant_id: int):
    """Edit a profile: contact details, company, segment and free attributes."""
    participant = participants.get_participant(g.member.workspace_id, participant_id)
    if request.method == "GET":
        return _edit_form(participant, None)
    draft = _posted_draft()
    try:
        if not EmptyForm().validate_on_submit():
            raise _expired()
        participants.update_participant(g.member, participant_id, draft)
    except DomainError as error:
        return _edit_form(participant, draft, error)
    flash("Profile saved.", "success")
    return redirect(url_for("participants.show", participant_id=participant_id))


# The longest personal note an invite carries (flows.invites.send_invite's limit);
# the invite form renders it as the note's maxlength.
MAX_INVITE_NOTE = 2000


def _render_profile(
    participant_id: int,
    *,
    warning=None,
    refused: Refused | None = None,
    status: int = 200,
):
    """A participant's profile; ``refused`` is one of its forms refused (``refused.form``:
    consent, invite, do-not-contact, withdraw-consent, withdraw-invite, or rewards'
    offer), shown with what was typed and every problem at the top and at its input."""
    workspace_id = g.member.workspace_id
    participant = participants.get_participant(workspace_id, participant_id)
    timezone = team.viewer_timezone(g.member.user_id)
    all_studies = studies.list_studies(workspace_id)
    if refused is not None:
        refused = _pointing_at_shown(refused, participant, all_studies)
    return render_template(
        "participants/show.html",
        participant=participant,
        history=team.interviews_of_participant(workspace_id, participant_id),
        learned=takeaways.takeaways_of_participant(workspace_id, participant_id),
        invites=invites.invites_of(workspace_id, participant_id),
        erasure=privacy.erasure_of(workspace_id, participant_id),
        own_offers=compensation.overrides_of(workspace_id, participant_id),
        their_rewards=compensation.rewards_of_participant(workspace_id, participant_id),
        all_studies=all_studies,
        reward_kinds=REWARD_KINDS,
        open_studies=[s for s in all_studies if s.status is StudyStatus.PUBLISHED],
        consent_labels=CONSENT_LABELS,
        default_wording=consent.DEFAULT_CONSENT_WORDING,
        limits={
            "wording": consent.MAX_WORDING,
            "method": consent.MAX_METHOD,
            "note": MAX_INVITE_NOTE,
        },
        timezone=timezone,
        warning=warning,
        refused=refused,
        posted=request.form if request.method == "POST" else {},
        form=EmptyForm(),
    ), status


# The inputs of the profile's forms, each with the section it sits in: when a form is not
# shown (see _pointing_at_shown), a problem at one of its inputs points at the section.
_PROFILE_INPUTS = {
    "do-not-contact": "who-heading",
    "study_id": "invites",
    "note": "invites",
    "consent-kind": "consent",
    "wording": "consent",
    "method": "consent",
    # rewards.set_offer's form, on this page too
    "offer-study": "offers",
    "offer-kind": "offers",
    "offer-amount": "offers",
    "offer-currency": "offers",
    "offer-text": "offers",
}


def _pointing_at_shown(
    refused: Refused, participant: participants.ParticipantView, studies_of_workspace: list
) -> Refused:
    """The refusal with each error pointing at something the profile shows. What the
    refusal was about may have gone meanwhile: an erased person's forms and most of
    their sections are not shown (then the top of the page), nor is the invite form for
    someone who asked not to be contacted or when no study is open (then its section)."""
    hidden: set[str] = set()
    if participant.erased:
        hidden |= set(_PROFILE_INPUTS) | {"invites", "consent"}
    elif not g.member.can_edit:
        hidden |= set(_PROFILE_INPUTS)
    open_studies = [s for s in studies_of_workspace if s.status is StudyStatus.PUBLISHED]
    if participant.do_not_contact or not open_studies:
        hidden |= {"study_id", "note"}
    if not studies_of_workspace:
        hidden |= {name for name, section in _PROFILE_INPUTS.items() if section == "offers"}
    errors = []
    for where, message in refused.errors:
        if where in hidden:
            where = _PROFILE_INPUTS.get(where, "main")
            where = "main" if where in hidden else where
        errors.append((where, message))
    return Refused(refused.typed, errors, refused.form)


def _refused_on_profile(
    participant_id: int, error: DomainError, form: str, ids: dict[str, str], fallback: str
):
    """The profile again, with ``form`` refused by ``error`` (every problem it carries)."""
    if error.status_code >= 500:
        raise error
    refused = Refused.of(error, ids, form, fallback)
    return _render_profile(participant_id, refused=refused, status=_refusal_status(error))


@bp.get("/<int:participant_id>")
@login_required
def show(participant_id: int):
    """A participant's profile: who they are, consent, interviews, what they told us."""
    return _render_profile(participant_id)


def _checked_form() -> None:
    if not EmptyForm().validate_on_submit():
        raise _expired()


@bp.post("/<int:participant_id>/do-not-contact")
@editor_required
def do_not_contact(participant_id: int):
    """Mark or unmark: asked not to be contacted for research."""
    flag = request.form.get("do_not_contact") == "1"
    try:
        _checked_form()
        view = participants.set_do_not_contact(g.member, participant_id, flag)
    except DomainError as error:
        return _refused_on_profile(participant_id, error, "do-not-contact", {}, "do-not-contact")
    flash(
        f"{view.name} will not be invited or booked."
        if flag
        else f"{view.name} can be invited again.",
        "success",
    )
    return redirect(url_for("participants.show", participant_id=participant_id))


# The consent form's inputs, by the field names consent.record_consent reports.
_CONSENT_INPUTS = {"kind": "consent-kind", "wording": "wording", "method": "method"}


@bp.post("/<int:participant_id>/consents")
@editor_required
def record_consent(participant_id: int):
    """Record a consent with the words they agreed to."""
    try:
        _checked_form()
        recorded = consent.record_consent(
            g.member,
            participant_id,
            kind=request.form.get("kind", ""),
            wording=request.form.get("wording", ""),
            method=request.form.get("method", ""),
        )
    except DomainError as error:
        # Re-rendered with the form open: the words they agreed to stay as typed.
        return _refused_on_profile(participant_id, error, "consent", _CONSENT_INPUTS, "consent")
    flash(f"Consent recorded: {CONSENT_LABELS[recorded.kind].lower()}.", "success")
    return redirect(url_for("participants.show", participant_id=participant_id) + "#consent")


@bp.post("/<int:participant_id>/consents/<int:consent_id>/withdraw")
@editor_required
def withdraw_consent(participant_id: int, consent_id: int):
    """They took a consent back; it stays in the history."""
    try:
        _checked_form()
        consent.withdraw_consent(g.member, participant_id, consent_id)
    except DomainError as error:
        return _refused_on_profile(participant_id, error, "withdraw-consent", {}, "consent")
    flash("Consent withdrawn. The history keeps when it was given and when it was taken back.")
    return redirect(url_for("participants.show", participant_id=participant_id) + "#consent")


def _invite_problems(note: str) -> None:
    """Refuse a study that is not open and a note too long, both at once, before the
    invite service sees the form (it says only one problem at a time)."""
    problems: list[InvalidInput] = []
    study_id = id_from(request.form.get("study_id"))
    open_ids = {
        s.id
        for s in studies.list_studies(g.member.workspace_id)
        if s.status is StudyStatus.PUBLISHED
    }
    if study_id not in open_ids:
        problems.append(
            InvalidInput("Choose a published study to invite them to.", field="study_id")
        )
    if len(note.strip()) > MAX_INVITE_NOTE:
        problems.append(
            InvalidInput(
                f"A personal note can be at most {MAX_INVITE_NOTE:,} characters.", field="note"
            )
        )
    refuse_all(problems)


@bp.post("/<int:participant_id>/invite")
@editor_required
def invite(participant_id: int):
    """Email them a personal booking link for a study."""
    # A browser counts a line break as one character, and sends it as two (CRLF).
    note = request.form.get("note", "").replace("\r\n", "\n")
    try:
        _checked_form()
        _invite_problems(note)
        sent = inviting.send_invite(
            g.member,
            participant_id,
            id_from(request.form.get("study_id")),  # an open study's: _invite_problems
            note=note,
            despite_cooldown=request.form.get("despite_cooldown") == "1",
        )
    except cooldown.CooldownWarning as warning:
        # Not refused: asked first, with "Invite anyway" beside the warning.
        return _render_profile(participant_id, warning=warning, status=409)
    except DomainError as error:
        ids = {"study_id": "study_id", "note": "note"}
        return _refused_on_profile(participant_id, error, "invite", ids, "study_id")
    if sent.delivery.failed:
        flash(
            f"The invite could not be sent ({sent.delivery.error}). Pass them the link "
            "below yourself.",
            "error",
        )
        # Shown once on the profile, beside a copy button (a flash is plain text).
        session["unsent_invite_link"] = sent.url
    else:
        flash(f"Personal booking link sent to {sent.email}.", "success")
    return redirect(url_for("participants.show", participant_id=participant_id) + "#invites")


@bp.post("/<int:participant_id>/invites/<int:invite_id>/withdraw")
@editor_required
def withdraw_invite(participant_id: int, invite_id: int):
    """The personal link stops working."""
    try:
        _checked_form()
        invites.withdraw_invite(g.member, invite_id)
    except DomainError as error:
        return _refused_on_profile(participant_id, error, "withdraw-invite", {}, "invites")
    flash("Invite withdrawn: the link no longer books.")
    return redirect(url_for("participants.show", participant_id=participant_id) + "#invites")
