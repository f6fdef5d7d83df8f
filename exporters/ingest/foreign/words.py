"""What the words of a timeline entry say: the impact is felt, it is over, a milestone.

The vocabularies are classes of words people use in any postmortem (symptoms, recovery,
perception verbs, people being brought in), not phrases of particular documents: each
class is a list of stems, and the few patterns that need context (``did not help``,
``looked normal``) describe a shape of sentence rather than one sentence.
"""

from __future__ import annotations

import re

__all__ = [
    "infer_tags",
    "is_change",
    "is_end_marker",
    "is_start_marker",
    "shows_closure",
    "shows_full_recovery",
    "shows_impact",
    "shows_relapse",
    "shows_resolution",
]


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


_EVENT = r"(?:the )?(?:outage|incident|impact|downtime|disruption|degradation|issue)"

_START_MARKER_RE = _words(
    rf"(?:start|beginning|begin|onset) of {_EVENT}",
    r"(?:outage|impact|incident|downtime|disruption|degradation) (?:begins|began|starts|started)",
    r"(?:impact|incident|outage|downtime|disruption) (?:start|starts|started|begins|began)",
)
_END_MARKER_RE = _words(
    rf"end of {_EVENT}",
    r"(?:outage|impact|downtime|disruption|degradation) (?:ends|ended|is over|was over)",
    r"(?:outage|incident|impact) (?:was )?declared over",
    r"(?:impact|incident|outage|downtime|disruption) (?:end|ends|ended)",
)

# Symptoms: how the impact looks from outside, or the moment somebody notices it.
_SYMPTOM_RE = _words(
    r"outages?|downtime|(?:is|was|were|are|went|goes|go|been|being|came|stays?) down",
    r"unavailable|unreachable|unresponsive|inaccessible|offline|not (?:working|loading|responding)",
    r"fail(?:s|ed|ing|ures?)?|errored|erroring|error rates?|exceptions?|crash\w*|panic\w*",
    r"time-?outs?|timing out|timed out|slow(?:ness|ed|ing|er)?|latency|lag(?:ging)?",
    r"degrad\w*|stuck|stall(?:s|ed|ing)?|hung|hang(?:s|ing)|froze|frozen|freez\w*",
    r"reject\w*|refus\w*|denied|throttl\w*|overload\w*|saturat\w*|exhaust\w*|backlog",
    r"queu(?:e?ing)|queued up|pil(?:ing|ed) up|no \w+ (?:online|available|responding|running)",
    r"broken|missing|lost|stale|blank|empty (?:results?|pages?|responses?)|no data",
    r"unable|cannot|can't|couldn't|stopped (?:working|responding|processing|serving)",
    r"[45][0-9]{2}s?|[45]xx|servfail|spikes?|elevated|surge",
    r"alert(?:s|ed|ing)?|paged?|paging|pager(?:duty)?|detected|noticed|spotted|observed",
    r"witnessed",
    r"reports?|reported|reporting|complain\w*|impact\w*",
    r"(?:being|been|got|get|were|was|are|is) (?:killed|evicted|dropped|lost|kicked out)",
    r"(?:tak(?:es|ing)|took) (?:over |more than |>\s?)[0-9]+\s?(?:s|sec\w*|m|min\w*|h|hours?)\b",
    r"indisponibles?|en panne|pannes?|erreurs?|[ée]checs?|[ée]chou\w*|lenteurs?|ne \w+ plus",
    r"bloqu[ée]\w*|inaccessibles?|hors service|hors ligne|d[ée]grad[ée]\w*|plant[ée]\w*",
)
_WEAK_SYMPTOM_RE = _words(r"errors?|issues?|problems?|incorrect|wrong")
_CHANGE_RE = _words(
    r"deploy\w*|releases?|released|rolled out|rolling out|roll-?out|push(?:ed)?|changes?|changed",
    r"upgrade[sd]?|upgrading|migrat\w*|commenced|submit\w*|merged?|created|scheduled",
    r"maintenance|cron|config(?:uration)? change",
)
_NEGATED_RE = re.compile(
    r"\b(?:did not|didn't|does not|doesn't|not yet|no longer|failed to|unable to|without|never)\b"
    r"[^.;]{0,30}\b(?:resolv|restor|fix|help|work|recover|succeed)",
    re.IGNORECASE,
)
# Recovery: the service works again (as opposed to the incident being closed on paper).
_RECOVERY_RE = _words(
    r"resolved|restored|recovered|fixed|mitigated",
    r"fully (?:restored|operational|functional|recovered|available|working)",
    r"back (?:to )?(?:normal|baseline|healthy|green|zero|online|up|in service|under|below)",
    r"back (?:to|at|up to|above) (?:9[0-9]|100)(?:\.[0-9]+)?(?=\s?%)",
    r"(?:up|working|operational|online|healthy|available|reachable|responsive) again",
    r"(?:works?|working|loads?|loading|succeed\w*|completing|flowing|serving|responding"
    r"|running|operating|processing)\b[^.;]{0,25}\b(?:again|normally|as expected|everywhere"
    r"|for everyone)",
    r"(?:backlog|queue|lag)\b[^.;]{0,25}\b(?:cleared|drained|empty|caught up|gone|zero)",
    r"caught up|all clear|all green|confirmed working|error rates? (?:is |was )?normal",
    r"everything (?:is|was) (?:fine|ok|normal|working)|no (?:further|more) (?:errors|impact)",
    r"(?:running|working|going|went|runs|works) smoothly|operational again",
    r"r[ée]tabli\w*|r[ée]solu\w*|fonctionne (?:de nouveau|normalement|[àa] nouveau)",
    r"retour (?:[àa] la )?normale?|de nouveau (?:disponible|accessible|en ligne)",
)
_CLOSURE_RE = _words(
    r"incident (?:was |is )?(?:closed|resolved)|closed the incident|resolved the incident",
    r"closing|closed|stand(?:ing)? down|post-?mortem (?:scheduled|started)",
)
_PARTIAL_RE = re.compile(
    r"\b(?:began|begins?|beginning|started|starts?|starting)\s+(?:to\s+)?"
    r"(?:recover|restor|stabili|clear|drain|come back|improv|return|decreas|drop|fall|subside)"
    r"|\b(?:gradually|partially|partial|some|slowly|mostly)\b[^.;]{0,20}"
    r"\b(?:recover|restor|stabili|back|working)"
    r"|\b(?:drop(?:s|ped)?|fell|falls|decreas\w*|reduc\w*) to (?!zero\b|0\b|normal|baseline)"
    r"[0-9]",
    re.IGNORECASE,
)
_FULL_RE = _words(r"fully|all|everyone|everywhere|every|completely|entirely|back online")

_TEAM = (
    r"(?:team|teams|engineers?|engineering|lead|leads|dba|dbas|sre|sres|on-?call|manager"
    r"|experts?|vendor|support|provider|specialists?|owners?|responders?)"
)
_BRING = (
    r"(?:paged|pinged|called|summoned|engaged|looped in|pulled in|brought in|brought onboard"
    r"|roped in|woke up|contacted|reached out to|notified|handed (?:over|off) to)"
)

_TAG_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "false-lead",
        re.compile(
            r"\b(?:initial(?:ly)?|first|wrongly|mistakenly)\s+(?:\w+\s+){0,2}?"
            r"(?:assum|suspect|thought|theory|belie|hypothes|blam|guess)\w*"
            r"|\bassum(?:ed|ing)\b|\bmisleading\b|\bred herring\b|\bdead end\b|\bfalse alarm\b"
            r"|\bwrong (?:path|lead|direction|track|tree|theory)\b|\bruled out\b|\bunrelated\b"
            r"|\b(?:did not|didn't|does not|doesn't|did nothing to|failed to)\s+"
            r"(?:\w+\s+)?(?:resolve|help|fix|work|solve|improve|change)\b"
            r"|\bturned out (?:not|to be unrelated|to be fine|to be a)\b"
            r"|\bnot the (?:cause|culprit|issue|problem|source)\b|\bno (?:signs?|evidence) of\b"
            r"|\b(?:looked|looks|seemed|seems|appeared|appears)\s+(?:\w+\s+)?(?:normal|fine"
            r"|healthy|ok|okay|green|innocent|unremarkable)\b"
            r"|\bnothing (?:wrong|unusual|abnormal|suspicious|obvious)\b"
            r"|\bstill no (?:cause|culprit|sign|luck|clue|idea|explanation)\b|\bto no avail\b"
            r"|\battempts? (?:to \w+ )?[^.;]{0,40}\bfailed\b|\bunsuccessful\w*"
            r"|\bno (?:improvement|effect|change in)\b|\bwasn.t\b[^.;]{0,20}\bcause",
            re.IGNORECASE,
        ),
    ),
    (
        "escalation",
        re.compile(
            r"\bescalat\w*"
            rf"|\b{_BRING}\b[^.;]{{0,40}}\b{_TEAM}\b"
            rf"|\b{_TEAM}\b[^.;]{{0,25}}\b(?:was |were |is |are |gets |got )?"
            r"(?:summoned|paged in|called in|brought in|looped in|pulled in|roped in|engaged)\b"
            r"|\b(?:paged|called|brought|looped|pulled|roped) in\b",
            re.IGNORECASE,
        ),
    ),
    (
        "detected",
        _words(
            r"alert(?:s|ed|ing)?|detect(?:ed|s|ion)?|noticed|spotted|observed|witnessed",
            r"report(?:s|ed|ing)?|paged?|pager(?:duty)?|complain\w*|flagged|pings?",
            r"monitor(?:ing)? (?:system )?(?:sends|sent|fired|triggered|flagged|showed)",
            r"first (?:seen|signs?)",
        ),
    ),
    (
        "responded",
        _words(
            r"acknowledg\w*|investigat\w*|joined|convened|jumped (?:in|into)|respond(?:ed|ing)",
            r"war room|incident (?:was |is )?(?:declared|opened)|declared an incident",
            r"started looking|looking into|assembled|triag\w*|began (?:troubleshooting|debugging)",
        ),
    ),
    (
        "cause-identified",
        _words(
            r"root cause|identified|discovered|culprit|found (?:that|the|a|an)|revealed",
            r"traced (?:back )?to|pinpointed|realized|realised|determined|diagnos\w*",
            r"turned out to be|correlat\w*|narrowed (?:it )?down|isolated (?:the|to)",
        ),
    ),
    (
        "mitigated",
        _words(
            r"roll(?:ed|ing)? ?back|rollback|revert\w*|mitigat\w*|workaround|hotfix\w*",
            r"restart\w* successfully|successfully restart\w*|began (?:to )?recover\w*",
            r"stabili[sz]\w*|fail(?:ed)? ?over|patched|scaled (?:up|out)|restored|recover\w*",
            r"fixed|fix (?:was )?(?:deployed|applied|shipped|released)|deployed (?:the|a) fix",
            r"killed|terminated|disabled|paused|cancell?ed|aborted|halted",
            r"(?:cleaned|cleared) (?:up|out)|purged|freed",
            r"(?:correct\w*|previous|old|last known good|fixed|new) (?:config\w*|version|build"
            r"|code|release|image|policy|certificate|rule)s?\b[^.;]{0,25}\b(?:deployed|applied"
            r"|re-?applied|rolled out|pushed|restored|re-?enabled)",
        ),
    ),
    (
        "comms",
        _words(
            r"(?:posted|updated|published|put up|sent)\b[^.;]{0,30}\bstatus ?page"
            r"|status ?page (?:was |is )?(?:updated|posted)|status ?page (?:update|post)"
            r"|(?:customers|users|partners) (?:were |are )?(?:notified|informed|emailed|told)",
            r"posted (?:an? )?update|public (?:update|statement)|announce\w*",
        ),
    ),
    ("action", _words(r"action items?|follow-?up|ticket (?:was )?(?:filed|created|opened)")),
)
_DETECTION_WORDS_RE = _words(r"alert\w*|detect\w*|noticed|report\w*|complain\w*|monitor\w*")
_REAL_CAUSE_RE = _words(r"root cause|culprit|real cause|actual cause|(?:the|a) fix")
_NO_CAUSE_RE = re.compile(
    r"\b(?:unable to|could not|couldn't|failed to|did not|didn't|without|no)\s+"
    r"(?:\w+\s+)?(?:identify|identifying|find|finding|determine|root cause|culprit)",
    re.IGNORECASE,
)


def _one_line(text: str) -> str:
    """Entry text continued over several lines reads as one ("START OF" / "OUTAGE")."""
    return " ".join(text.split()) if "\n" in text or "  " in text else text


def is_start_marker(text: str) -> bool:
    text = _one_line(text)
    return bool(_START_MARKER_RE.search(text))


def is_end_marker(text: str) -> bool:
    text = _one_line(text)
    return bool(_END_MARKER_RE.search(text))


def shows_impact(text: str) -> bool:
    """Whether an entry reads like the impact is being felt (not just a change being made,
    and not the recovery: "backlog cleared")."""
    text = _one_line(text)
    if shows_resolution(text):
        return False
    if _SYMPTOM_RE.search(text):
        return True
    return bool(_WEAK_SYMPTOM_RE.search(text)) and not _CHANGE_RE.search(text)


def is_change(text: str) -> bool:
    """Whether an entry is about a change being made (deploy, merge, config, migration)."""
    return bool(_CHANGE_RE.search(_one_line(text)))


def shows_resolution(text: str) -> bool:
    """Whether an entry says the service works again (fully: not "starts to recover")."""
    text = _one_line(text)
    if _NEGATED_RE.search(text) or not _RECOVERY_RE.search(_CLOSURE_RE.sub(" ", text)):
        return False
    return not _PARTIAL_RE.search(text) or bool(_FULL_RE.search(text))


_RELAPSE_RE = _words(
    r"again|still|persist\w*|recur\w*|resurfac\w*|re-?occur\w*|returned|came back|reappear\w*",
    r"de nouveau|toujours|encore",
)


def shows_relapse(text: str) -> bool:
    """Whether an entry says the trouble is back or was never gone ("errors again", "the
    issue still persists") after an entry that said it was over."""
    text = _one_line(text)
    return bool(_RELAPSE_RE.search(text)) and shows_impact(text)


_MITIGATION_RE = _words(r"mitigat\w*|workaround\w*")


def shows_full_recovery(text: str) -> bool:
    """Whether an entry says the service works again in words stronger than "mitigated"
    (a mitigation often comes before the impact is over)."""
    return shows_resolution(text) and shows_resolution(_MITIGATION_RE.sub(" ", text))


def shows_closure(text: str) -> bool:
    """Whether an entry closes the incident on paper (``incident closed``): an end of the
    impact only when no entry says the service recovered."""
    text = _one_line(text)
    return bool(_CLOSURE_RE.search(text)) and not _NEGATED_RE.search(text)


def infer_tags(text: str) -> list[str]:
    """Milestone tags an entry's words suggest (never impact-start or resolved: those are
    given only to the entries chosen as the start and the end of the impact)."""
    text = _one_line(text)
    tags: list[str] = []
    for tag, pattern in _TAG_PATTERNS:
        if not pattern.search(text):
            continue
        if tag == "detected" and "escalation" in tags and not _DETECTION_WORDS_RE.search(text):
            continue  # "paged the DBA" brings someone in; it does not detect anything
        if tag == "mitigated" and "false-lead" in tags:
            continue  # "restarted it, which did not help"
        if tag == "cause-identified" and (
            _NO_CAUSE_RE.search(text) or ("false-lead" in tags and not _REAL_CAUSE_RE.search(text))
        ):
            continue  # "this turned out to be a red herring" finds nothing
        tags.append(tag)
    if not tags and shows_resolution(text):
        tags.append("mitigated")
    return tags
