"""The team's panel pages: the participant list, a profile, consent, invites."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for

from interviews.accounts.forms import EmptyForm
from interviews.compensation import service as compensation
from interviews.compensation.money import KIND_LABELS, RewardKind
from interviews.errors import DomainError, InvalidInput
from interviews.notes import takeaways
from interviews.participants import consent, invites, privacy
from interviews.participants import service as participants
from interviews.participants.models import ConsentKind
from interviews.scheduling import team
from interviews.studies import service as studies
from interviews.studies.models import StudyStatus
from interviews.web import editor_required, login_required

bp = Blueprint("participants", __name__, url_prefix="/participants")
# An override always gives something: "none" is the study's business, not one person's.
REWARD_KINDS = [(k.value, KIND_LABELS[k]) for k in RewardKind if k is not RewardKind.NONE]

CONSENT_LABELS = {
    ConsentKind.RESEARCH: "Research interview and notes",
    ConsentKind.RECORDING: "Recording of calls",
    ConsentKind.CONTACT: "Invitations to future research",
}


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 100_000 else 1


@bp.get("")
@login_required
def index():
    """The panel: search by name, company or role; filter by segment."""
    q = request.args.get("q", "")[:200]
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
    )


def _posted_draft() -> participants.ParticipantDraft:
    keys = request.form.getlist("attribute_key")
    values = request.form.getlist("attribute_value")
    return participants.ParticipantDraft(
        name=request.form.get("name", ""),
        email=request.form.get("email", ""),
        phone=request.form.get("phone", ""),
        timezone=request.form.get("timezone", "") or "UTC",
        company=request.form.get("company", ""),
        role=request.form.get("role", ""),
        segment=request.form.get("segment", ""),
        attributes=tuple((key, values[i] if i < len(values) else "") for i, key in enumerate(keys)),
    )


def _edit_form(
    participant: participants.ParticipantView | None,
    draft: participants.ParticipantDraft | None,
    error: DomainError | None = None,
    status: int = 200,
):
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
    # Three empty rows to add attributes without scripts.
    rows = [pair for pair in draft.attributes if pair[0] or pair[1]] + [("", "")] * 3
    return render_template(
        "participants/form.html",
        participant=participant,
        draft=draft,
        rows=rows,
        error=error,
        form=EmptyForm(),
    ), status


@bp.route("/new", methods=["GET", "POST"])
@editor_required
def new():
    """Add someone to the panel by hand."""
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        draft = _posted_draft()
        try:
            created = participants.create_participant(g.member, draft)
        except DomainError as error:
            return _edit_form(None, draft, error, error.status_code)
        flash(f"{created.name} is on the panel.", "success")
        return redirect(url_for("participants.show", participant_id=created.id))
    return _edit_form(None, None, status=422 if request.method == "POST" else 200)


@bp.route("/<int:participant_id>/edit", methods=["GET", "POST"])
@editor_required
def edit(participant_id: int):
    """Edit a profile: contact details, company, segment and free attributes."""
    participant = participants.get_participant(g.member.workspace_id, participant_id)
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        draft = _posted_draft()
        try:
            participants.update_participant(g.member, participant_id, draft)
        except DomainError as error:
            return _edit_form(participant, draft, error, error.status_code)
        flash("Profile saved.", "success")
        return redirect(url_for("participants.show", participant_id=participant_id))
    return _edit_form(participant, None, status=422 if request.method == "POST" else 200)


def _render_profile(participant_id: int, *, warning=None, invite_error=None, status: int = 200):
    workspace_id = g.member.workspace_id
    participant = participants.get_participant(workspace_id, participant_id)
    timezone = team.viewer_timezone(g.member.user_id)
    return render_template(
        "participants/show.html",
        participant=participant,
        history=team.interviews_of_participant(workspace_id, participant_id),
        learned=takeaways.takeaways_of_participant(workspace_id, participant_id),
        invites=invites.invites_of(workspace_id, participant_id),
        erasure=privacy.erasure_of(workspace_id, participant_id),
        own_offers=compensation.overrides_of(workspace_id, participant_id),
        their_rewards=compensation.rewards_of_participant(workspace_id, participant_id),
        all_studies=studies.list_studies(workspace_id),
        reward_kinds=REWARD_KINDS,
        open_studies=[
            s for s in studies.list_studies(workspace_id) if s.status is StudyStatus.PUBLISHED
        ],
        consent_labels=CONSENT_LABELS,
        default_wording=consent.DEFAULT_CONSENT_WORDING,
        timezone=timezone,
        warning=warning,
        invite_error=invite_error,
        posted=request.form if request.method == "POST" else {},
        form=EmptyForm(),
    ), status


@bp.get("/<int:participant_id>")
@login_required
def show(participant_id: int):
    """A participant's profile: who they are, consent, interviews, what they told us."""
    return _render_profile(participant_id)


def _checked_form() -> None:
    if not EmptyForm().validate_on_submit():
        raise InvalidInput("The form expired. Reload the page and try again.")


@bp.post("/<int:participant_id>/do-not-contact")
@editor_required
def do_not_contact(participant_id: int):
    """Mark or unmark: asked not to be contacted for research."""
    _checked_form()
    flag = request.form.get("do_not_contact") == "1"
    view = participants.set_do_not_contact(g.member, participant_id, flag)
    flash(
        f"{view.name} will not be invited or booked."
        if flag
        else f"{view.name} can be invited again.",
        "success",
    )
    return redirect(url_for("participants.show", participant_id=participant_id))


@bp.post("/<int:participant_id>/consents")
@editor_required
def record_consent(participant_id: int):
    """Record a consent with the words they agreed to."""
    _checked_form()
    recorded = consent.record_consent(
        g.member,
        participant_id,
        kind=request.form.get("kind", ""),
        wording=request.form.get("wording", ""),
        method=request.form.get("method", ""),
    )
    flash(f"Consent recorded: {CONSENT_LABELS[recorded.kind].lower()}.", "success")
    return redirect(url_for("participants.show", participant_id=participant_id) + "#consent")


@bp.post("/<int:participant_id>/consents/<int:consent_id>/withdraw")
@editor_required
def withdraw_consent(participant_id: int, consent_id: int):
    """They took a consent back; it stays in the history."""
    _checked_form()
    consent.withdraw_consent(g.member, participant_id, consent_id)
    flash("Consent withdrawn. The history keeps when it was given and when it was taken back.")
    return redirect(url_for("participants.show", participant_id=participant_id) + "#consent")


@bp.post("/<int:participant_id>/invite")
@editor_required
def invite(participant_id: int):
    """Email them a personal booking link for a study."""
    _checked_form()
    study_id = request.form.get("study_id", "")
    if not (study_id.isascii() and study_id.isdigit()):
        return _render_profile(
            participant_id, invite_error="Choose a published study to invite them to.", status=422
        )
    try:
        sent = invites.send_invite(
            g.member,
            participant_id,
            int(study_id),
            note=request.form.get("note", ""),
            despite_cooldown=request.form.get("despite_cooldown") == "1",
        )
    except invites.CooldownWarning as warning:
        return _render_profile(participant_id, warning=warning, status=409)
    except DomainError as error:
        return _render_profile(participant_id, invite_error=error.message, status=error.status_code)
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
    _checked_form()
    invites.withdraw_invite(g.member, invite_id)
    flash("Invite withdrawn: the link no longer books.")
    return redirect(url_for("participants.show", participant_id=participant_id) + "#invites")
