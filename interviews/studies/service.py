"""Study use cases. Each is one transaction; refusals are named errors."""
# Stays whole past 400 lines: every study use case shares the draft checks, the slug helpers and the row-to-view reader.

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from interviews import addresses
from interviews.accounts import service as accounts
from interviews.accounts.models import User
from interviews.clock import utc_now
from interviews.db import db
from interviews.errors import Conflict, Forbidden, InvalidInput, NotFound
from interviews.message_plan import DEFAULT_REMINDER_OFFSETS, MessageSettings
from interviews.message_texts import EDITABLE, Text, TextProblem, check
from interviews.money import Money, MoneyError, Offer, RewardKind
from interviews.studies import rules
from interviews.studies.models import JoinMode, Study, StudyColleague, StudyHost, StudyStatus
from interviews.studies.rules import Limits


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    email: str


@dataclass(frozen=True)
class StudyView:
    """A study as pages, the API and other areas see it."""

    id: int
    workspace_id: int
    workspace_name: str
    slug: str
    title: str
    description: str
    host: Person
    colleagues: tuple[Person, ...]
    duration_minutes: int
    meeting_url: str
    phone_fallback: str
    reward_text: str
    limits: Limits
    phone_required: bool
    questions: tuple[str, ...]
    status: StudyStatus
    created_at: datetime
    messages: MessageSettings = MessageSettings()
    # Texts the study rewrote, by message kind: {"reminder": {"subject", "body"}}.
    message_texts: dict[str, dict[str, str]] = field(default_factory=dict)
    template_id: int | None = None  # its note template; None: the workspace's Discovery one
    cooldown_days: int = 90  # inviting someone interviewed more recently asks first
    offer: Offer = Offer()  # the thank-you everyone in it is promised, unless their own
    # Everyone taking turns to host (round robin), ``host`` first; one person: one host.
    # In a view of one interview, ``host`` is that interview's host (see with_host).
    hosts: tuple[Person, ...] = ()
    # The note-takers (colleagues) must be free too for a time to be offered.
    note_takers_required: bool = False
    # Where each interview's join link comes from (scheduling.links.join_link decides it).
    join_mode: JoinMode = JoinMode.FIXED

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def with_whom(self) -> str:
        """Who an interviewee will talk to, as the booking page says it."""
        return rules.hosts_phrase([p.name for p in self.hosts or (self.host,)])

    @property
    def by_video(self) -> bool:
        """Its calls are video calls: a fixed video link, or a room per host or interview."""
        return self.join_mode is not JoinMode.FIXED or bool(self.meeting_url)


# What _view reads of one study's people, in the study's own statement: a study's view is
# built on every public booking page (and for every message sent), where its workspace,
# host, colleagues and hosts taking turns were five round trips.
_WITH_PEOPLE = (
    joinedload(Study.workspace),
    joinedload(Study.host),
    joinedload(Study.colleagues).joinedload(StudyColleague.user),
    joinedload(Study.rotation).joinedload(StudyHost.user),
)


def _view(study: Study) -> StudyView:
    return StudyView(
        id=study.id,
        workspace_id=study.workspace_id,
        workspace_name=study.workspace.name,
        slug=study.slug,
        title=study.title,
        description=study.description,
        host=Person(study.host.id, study.host.name, study.host.email),
        colleagues=tuple(Person(c.user.id, c.user.name, c.user.email) for c in study.colleagues),
        duration_minutes=study.duration_minutes,
        meeting_url=study.meeting_url,
        phone_fallback=study.phone_fallback,
        reward_text=study.reward_text,
        limits=Limits(
            duration=timedelta(minutes=study.duration_minutes),
            notice=timedelta(minutes=study.notice_minutes),
            horizon=timedelta(days=study.horizon_days),
            max_per_day=study.max_per_day,
            buffer=timedelta(minutes=study.buffer_minutes),
            step=timedelta(minutes=study.step_minutes),
        ),
        phone_required=study.phone_required,
        questions=tuple(study.questions or ()),
        status=study.status,
        created_at=study.created_at,
        messages=MessageSettings(
            reminder_offsets=tuple(study.reminder_offsets or ()),
            followups=study.followups_enabled,
        ),
        message_texts=dict(study.message_texts or {}),
        template_id=study.template_id,
        cooldown_days=study.cooldown_days,
        offer=offer_of_row(study),
        hosts=(
            Person(study.host.id, study.host.name, study.host.email),
            *(Person(h.user.id, h.user.name, h.user.email) for h in study.rotation),
        ),
        note_takers_required=study.note_takers_required,
        join_mode=JoinMode(study.join_mode),
    )


def with_host(study: StudyView, host_id: int) -> StudyView:
    """The study as one of its interviews sees it: ``host`` is that interview's host
    (fixed at booking, whoever hosts the study's new bookings now), who is then nobody's
    note-taker on it. Every page and message about one interview is built from this.

    Raises NotFound for a host who is no user at all."""
    if study.host.user_id == host_id:
        return study
    host = next((p for p in study.hosts if p.user_id == host_id), None)
    if host is None:  # taken out of the rotation since: still this interview's host
        user = db.session.get(User, host_id)
        if user is None:
            raise NotFound("No such host.")
        host = Person(user.id, user.name, user.email)
    return replace(
        study,
        host=host,
        colleagues=tuple(c for c in study.colleagues if c.user_id != host_id),
    )


def interview_study(workspace_id: int, study_id: int, host_id: int) -> StudyView:
    """The study of one interview, with that interview's host as ``host`` (with_host).

    Raises NotFound."""
    return with_host(get_study(workspace_id, study_id), host_id)


def offer_of_row(study: Study) -> Offer:
    """The study's stored offer as a value."""
    money = None
    if study.reward_amount_minor is not None and study.reward_currency:
        money = Money.from_minor(study.reward_amount_minor, study.reward_currency)
    kind = study.reward_kind or RewardKind.NONE
    if kind is RewardKind.NONE:
        money = None
    return Offer(kind, money, study.reward_text or "")


def parse_offer(kind: str, amount: str, currency: str, text: str) -> Offer:
    """An offer from form or API fields. Raises InvalidInput naming the field at fault."""
    try:
        reward_kind = RewardKind(kind or RewardKind.NONE)
    except ValueError:
        raise InvalidInput(
            "The reward is a gift_card, product_credit, donation or none.", field="reward_kind"
        ) from None
    text = " ".join((text or "").split())
    if reward_kind is RewardKind.NONE:
        try:
            return Offer(reward_kind, None, text)
        except MoneyError as error:
            raise InvalidInput(str(error), field="reward_text") from None
    try:
        money = Money.parse(amount, currency)
    except MoneyError as error:
        raise InvalidInput(f"Reward: {error}", field=f"reward_{error.part}") from None
    if not Decimal(0) < money.amount <= MAX_REWARD:
        raise InvalidInput(
            f"A reward is more than 0 and at most {MAX_REWARD:,} {money.currency}.",
            field="reward_amount",
        )
    try:
        return Offer(reward_kind, money, text)
    except MoneyError as error:
        raise InvalidInput(str(error), field="reward_text") from None


# The most one interview can be offered, in any currency's major units: a guard against
# typos (an extra zero or three), not a policy.
MAX_REWARD = Decimal(100_000)


@dataclass(frozen=True)
class StudyDraft:
    """What a PM fills in. Limits default to PRODUCT.md's."""

    title: str
    host_user_id: int
    description: str = ""
    duration_minutes: int = 45
    meeting_url: str = ""
    phone_fallback: str = ""
    reward_text: str = ""
    notice_minutes: int = 12 * 60
    horizon_days: int = 30
    max_per_day: int = 3
    buffer_minutes: int = 30
    step_minutes: int = 30
    phone_required: bool = True
    questions: tuple[str, ...] = ()
    colleague_user_ids: tuple[int, ...] = ()
    # Hosts taking turns with host_user_id (round robin); it is left out if listed.
    rotation_host_user_ids: tuple[int, ...] = ()
    note_takers_required: bool = False
    slug: str | None = None
    reminder_offsets: tuple[int, ...] = DEFAULT_REMINDER_OFFSETS
    followups_enabled: bool = True
    cooldown_days: int = 90
    offer: Offer = Offer()
    # "fixed", "personal" or "generated". None: an update keeps the study's; a new study
    # is "fixed" when given a video link (as before join modes), else "generated".
    join_mode: JoinMode | str | None = None


_BOUNDS = {
    "duration_minutes": (5, 480),
    "notice_minutes": (0, 60 * 24 * 30),
    "horizon_days": (1, 365),
    "max_per_day": (1, 24),
    "buffer_minutes": (0, 240),
    "step_minutes": (5, 240),
    "cooldown_days": (0, 730),
}


def _check(actor: accounts.Member, draft: StudyDraft, study_id: int | None) -> tuple[str, str]:
    """The cleaned title and slug of a valid draft. Raises Forbidden, InvalidInput, Conflict."""
    if not actor.can_edit:
        raise Forbidden("Viewers cannot create or change studies.")
    title = " ".join(draft.title.split())
    if not title or len(title) > 200:
        raise InvalidInput("Give the study a title of at most 200 characters.", field="title")
    for name, (low, high) in _BOUNDS.items():
        value = getattr(draft, name)
        if not low <= value <= high:
            raise InvalidInput(
                f"{name.replace('_', ' ')} must be between {low} and {high}.", field=name
            )
    member_ids = {m.user_id for m in accounts.members(actor.workspace_id)}
    if draft.host_user_id not in member_ids:
        raise InvalidInput("The host must be a member of this workspace.", field="host_user_id")
    if not set(draft.rotation_host_user_ids) <= member_ids:
        raise InvalidInput(
            "Hosts taking turns must be members of this workspace.",
            field="rotation_host_user_ids",
        )
    if not set(draft.colleague_user_ids) <= member_ids:
        raise InvalidInput(
            "Colleagues on the call must be members of this workspace.", field="colleague_user_ids"
        )
    if draft.meeting_url.strip():
        problem = addresses.problem_with(draft.meeting_url, addresses.LinkUse.WEB)
        if problem:
            raise InvalidInput(problem, field="meeting_url")
    try:
        MessageSettings(reminder_offsets=draft.reminder_offsets)
    except ValueError as error:
        raise InvalidInput(f"Reminders: {error}.", field="reminders") from None
    if not draft.slug:
        # A slug made from the title is never refused: a taken one gets -2, -3, ...
        base = rules.slug_from(title)
        return title, rules.free_slug(base, _slugs_taken(base, study_id))
    slug = draft.slug
    problem = rules.slug_problem(slug)
    if problem:
        raise InvalidInput(problem, field="slug")
    taken = _slugs_taken(slug, study_id)
    if slug in taken:
        raise Conflict(
            f"The link /book/{slug} is taken; choose another, "
            f"for example {rules.free_slug(slug, taken)}.",
            field="slug",
        )
    return title, slug


def _slugs_taken(base: str, study_id: int | None) -> set[str]:
    """Slugs other studies (on any workspace: the URL has none) hold: ``base`` and
    ``base-<anything>``. A valid slug has no LIKE wildcards (% or _) to escape."""
    query = select(Study.slug).where((Study.slug == base) | Study.slug.like(f"{base}-%"))
    if study_id is not None:
        query = query.where(Study.id != study_id)
    return set(db.session.scalars(query))


def _commit_slug(slug: str) -> None:
    """Commit; two PMs saving the same new slug at once: the second is told, not a 500."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            f"The link /book/{slug} was taken a moment ago; save again for another.",
            field="slug",
        ) from None


def _apply(study: Study, draft: StudyDraft, title: str, slug: str) -> None:
    study.slug = slug
    study.title = title
    study.description = draft.description.strip()
    study.host_id = draft.host_user_id
    study.duration_minutes = draft.duration_minutes
    study.meeting_url = draft.meeting_url.strip()
    study.phone_fallback = draft.phone_fallback.strip()
    study.reward_kind = draft.offer.kind
    study.reward_amount_minor = draft.offer.money.minor if draft.offer.money else None
    study.reward_currency = draft.offer.money.currency if draft.offer.money else ""
    study.reward_text = (draft.offer.text or draft.reward_text).strip()
    study.notice_minutes = draft.notice_minutes
    study.horizon_days = draft.horizon_days
    study.max_per_day = draft.max_per_day
    study.buffer_minutes = draft.buffer_minutes
    study.step_minutes = draft.step_minutes
    study.cooldown_days = draft.cooldown_days
    study.phone_required = draft.phone_required
    study.questions = [q.strip() for q in draft.questions if q.strip()]
    study.reminder_offsets = sorted(set(draft.reminder_offsets), reverse=True)
    study.followups_enabled = draft.followups_enabled
    hosts = _host_ids(draft)
    # Rows of hosts staying on are kept: (study, user) is unique, and a flush inserts
    # before it deletes.
    kept = {row.user_id: row for row in study.rotation}
    study.rotation = [kept.get(uid) or StudyHost(user_id=uid) for uid in hosts[1:]]
    study.note_takers_required = draft.note_takers_required
    # A host is on the call as its host, never also as its note-taker.
    study.colleagues = [
        StudyColleague(user_id=uid)
        for uid in dict.fromkeys(draft.colleague_user_ids)
        if uid not in hosts
    ]


def _join_mode(
    actor: accounts.Member, draft: StudyDraft, current: JoinMode | None, current_url: str = ""
) -> JoinMode:
    """The join mode a valid draft gives the study (``current``, ``current_url``: what it
    has, None and "" for a new one). Raises InvalidInput: an unknown mode, or each host's
    own room while a host of the study has none yet (their interviews would have no link),
    both field join_mode; a newly typed video link the chosen mode would not send (field
    meeting_url: a PM who pasted one expects it to be used)."""
    if draft.join_mode is None or draft.join_mode == "":
        if current is not None:
            mode = current
        else:
            mode = JoinMode.FIXED if draft.meeting_url.strip() else JoinMode.GENERATED
    else:
        try:
            mode = JoinMode(draft.join_mode)
        except ValueError:
            raise InvalidInput(
                "The join link is a fixed address, each host's own room or a new room per "
                "interview.",
                field="join_mode",
            ) from None
    typed = draft.meeting_url.strip()
    if mode is not JoinMode.FIXED and typed and typed != current_url:
        raise InvalidInput(
            "This video link would not be sent: the join link is "
            f"{_JOIN_WORDS[mode]}. Choose one fixed address to send it, or leave it empty.",
            field="meeting_url",
        )
    if mode is JoinMode.PERSONAL:
        hosts = list(dict.fromkeys(_host_ids(draft)))
        rooms = accounts.personal_rooms(hosts)
        names = {m.user_id: m.name for m in accounts.members(actor.workspace_id)}
        without = [names.get(h, "a host") for h in hosts if not rooms.get(h)]
        if without:
            who = " and ".join(without)
            raise InvalidInput(
                f"{who} {'has' if len(without) == 1 else 'have'} no video room yet, so "
                f"{'their' if len(without) == 1 else 'those'} interviews would have no join "
                "link: each host sets theirs on their profile (“Your video room”). Until "
                "then, choose a new room per interview or a fixed address.",
                field="join_mode",
            )
    return mode


_JOIN_WORDS = {
    JoinMode.GENERATED: "a new video room for each interview",
    JoinMode.PERSONAL: "each host's own video room",
}


def _host_ids(draft: StudyDraft) -> tuple[int, ...]:
    """Everyone who may host the study's interviews: its host first, then those taking
    turns, each once."""
    return tuple(dict.fromkeys((draft.host_user_id, *draft.rotation_host_user_ids)))


def create_study(actor: accounts.Member, draft: StudyDraft) -> StudyView:
    """A draft study in the actor's workspace. Raises Forbidden, InvalidInput, Conflict."""
    title, slug = _check(actor, draft, None)
    join_mode = _join_mode(actor, draft, None)
    study = Study(workspace_id=actor.workspace_id, status=StudyStatus.DRAFT, created_at=utc_now())
    _apply(study, draft, title, slug)
    study.join_mode = join_mode
    db.session.add(study)
    _commit_slug(slug)
    return _view(study)


def update_study(actor: accounts.Member, study_id: int, draft: StudyDraft) -> StudyView:
    """Change a study. Booked interviews keep their time; new rules apply to new bookings.

    Raises Forbidden, NotFound, InvalidInput, Conflict.
    """
    study = _study_in(actor.workspace_id, study_id)
    title, slug = _check(actor, draft, study.id)
    join_mode = _join_mode(actor, draft, JoinMode(study.join_mode), study.meeting_url)
    _apply(study, draft, title, slug)
    study.join_mode = join_mode
    _commit_slug(slug)
    return _view(study)


def set_status(actor: accounts.Member, study_id: int, status: StudyStatus) -> StudyView:
    """Publish (bookable at /book/<slug>) or close a study. A study that has been
    published never goes back to draft: drafts are the ones that can be deleted.

    Raises Forbidden, NotFound, InvalidInput."""
    if not actor.can_edit:
        raise Forbidden("Viewers cannot publish or close studies.")
    study = _study_in(actor.workspace_id, study_id)
    if status is StudyStatus.DRAFT and study.status is not StudyStatus.DRAFT:
        raise InvalidInput("A published study cannot become a draft again; close it instead.")
    study.status = status
    if status is StudyStatus.PUBLISHED and study.published_at is None:
        study.published_at = utc_now()
    db.session.commit()
    return _view(study)


def delete_draft(actor: accounts.Member, study_id: int, interviews: int) -> str:
    """Delete a draft study; returns its title. ``interviews`` is how many interviews
    the study has (the scheduling area counts them): deleting would take them with it,
    so a study with any is refused, as is one that was ever published (its link may
    be out in the world).

    Raises Forbidden, NotFound, Conflict."""
    if not actor.can_edit:
        raise Forbidden("Viewers cannot delete studies.")
    study = _study_in(actor.workspace_id, study_id)
    problem = rules.deletion_problem(study.status.value, interviews)
    if problem:
        raise Conflict(problem)
    title = study.title
    db.session.delete(study)
    db.session.commit()
    return title


def set_template(actor: accounts.Member, study_id: int, template_id: int | None) -> StudyView:
    """Choose the note template the study's interviews are taken on. The notes area has
    checked the template is this workspace's. Raises Forbidden, NotFound."""
    if not actor.can_edit:
        raise Forbidden("Viewers cannot change studies.")
    study = _study_in(actor.workspace_id, study_id)
    study.template_id = template_id
    db.session.commit()
    return _view(study)


def get_study(workspace_id: int, study_id: int) -> StudyView:
    return _view(_study_in(workspace_id, study_id))


def list_studies(workspace_id: int) -> list[StudyView]:
    """The workspace's studies, newest first."""
    # What each view reads of its people, loaded for all the studies at once: the
    # colleagues and the hosts taking turns were a query each, per study, on every page
    # that lists studies (the reports dashboard lists them three times).
    rows = db.session.scalars(
        select(Study)
        .where(Study.workspace_id == workspace_id)
        .options(
            joinedload(Study.workspace),
            joinedload(Study.host),
            selectinload(Study.colleagues).joinedload(StudyColleague.user),
            selectinload(Study.rotation).joinedload(StudyHost.user),
        )
        .order_by(Study.created_at.desc(), Study.id.desc())
    )
    return [_view(study) for study in rows]


def set_message_text(
    actor: accounts.Member, study_id: int, kind: str, text: Text | None, sample: dict
) -> StudyView:
    """Give a study its own words for one message (None: back to the default).

    ``sample`` is a context the text must render with. Raises Forbidden, NotFound,
    InvalidInput (a kind that cannot be rewritten, or a text that does not work).
    """
    if not actor.can_edit:
        raise Forbidden("Viewers cannot change studies.")
    study = _study_in(actor.workspace_id, study_id)
    if kind not in {k.value for k in EDITABLE}:
        raise InvalidInput("That message's text cannot be changed.", field="kind")
    texts = dict(study.message_texts or {})
    if text is None:
        texts.pop(kind, None)
    else:
        try:
            check(text, sample)
        except TextProblem as problem:
            raise InvalidInput(f"The text does not work: {problem}", field="body") from None
        texts[kind] = {"subject": text.subject.strip(), "body": text.body.replace("\r\n", "\n")}
    study.message_texts = texts
    db.session.commit()
    return _view(study)


def study_by_id(study_id: int) -> StudyView:
    """Any workspace's study, for services acting on its own behalf (the demo, jobs).

    Raises NotFound.
    """
    study = db.session.get(Study, study_id, options=_WITH_PEOPLE)
    if study is None:
        raise NotFound("No such study.")
    return _view(study)


def studies_with_colleague(user_id: int) -> list[int]:
    """Ids of the studies (in any workspace) on whose calls this person takes notes."""
    return list(
        db.session.scalars(select(StudyColleague.study_id).where(StudyColleague.user_id == user_id))
    )


def published_study(slug: str) -> StudyView:
    """The study behind a public booking link. Raises NotFound unless it is published."""
    study = (
        db.session.scalars(select(Study).where(Study.slug == slug).options(*_WITH_PEOPLE))
        .unique()
        .one_or_none()
    )
    if study is None or study.status is not StudyStatus.PUBLISHED:
        raise NotFound("This booking link is not open. Ask the person who sent it for a new one.")
    return _view(study)


def _study_in(workspace_id: int, study_id: int) -> Study:
    study = db.session.get(Study, study_id, options=_WITH_PEOPLE)
    if study is None or study.workspace_id != workspace_id:
        raise NotFound("No such study in this workspace.")
    return study
