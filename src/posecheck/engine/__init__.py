"""The form engine: phases, holds, reps, cues, safety, view states and scores.

Pure Python + numpy. The pipeline feeds one frame at a time::

    engine = Engine(exercise, side="auto")
    measures = compute_measures(pose, engine.measure_names)   # plus extra measures
    result = engine.update(frame_index, t_s, pose, measures)
    summary = engine.finish()

:class:`Engine` is a thin facade over small parts, each with one verb, its own
validated parameters, and events as its answer (it never calls back into the engine).
Every time and band comes from the definition's ``[timing]`` table or
:data:`posecheck.exercise.TIMING_DEFAULTS`. A frame goes through them in this order:

- :mod:`~posecheck.engine.side` ``SidePicker.update``: which side the camera sees best
  (``side = "auto"``).
- :mod:`~posecheck.engine.view` ``ViewGate.update``: ``tracking``, ``no_person``,
  ``low_visibility`` (a ``required`` landmark of the worked side, or one a phase target
  is measured from, below ``min_visibility``; landmarks outside the picture have
  visibility 0), ``wrong_view`` (``shoulder_width_ratio``) or ``paused``, after
  ``state_delay_s``. Only ``tracking`` advances phases and counts; nothing is reset by
  a dropout.
- :mod:`~posecheck.engine.baselines` ``ChangeBaselines.changes``: change bounds
  (``min_change_deg`` ...) against a recent low/high of the measure.
- :mod:`~posecheck.engine.phases` ``PhaseMachine.step``: the phase, with
  ``min_dwell_s`` and ``hysteresis_deg``.
- :mod:`~posecheck.engine.reps` ``RepCounter.on_enter``: reps along the ``cycle``;
  incomplete reps reported, reps partly out of view neither counted nor reported.
  For ``alternate`` exercises each side has its own phases, reps and hold.
- :mod:`~posecheck.engine.holds` ``Stillness.step`` and ``HoldTimer.step``: holds timed
  from arriving in the held phase and being still (``still_deg_s`` / ``still_ratio_s``
  over ``still_window_s``) until starting to leave, with ``grace_s``. Phase and hold
  edges are dated where the measure crossed its bound or the speed its limit,
  interpolated between the frames, so they are the same at any frame rate.
- :mod:`~posecheck.engine.motion` ``MotionChecks.check``: too fast, bouncing.
- :mod:`~posecheck.engine.cues` ``CueScheduler.update``: which cue to show, when; a rep
  that turned back short of the top or a hold that ended short is told at once
  (``announce``, worded by :mod:`posecheck.corrections`).
- :mod:`~posecheck.engine.scoring` and :mod:`~posecheck.engine.summary`: scores
  (:func:`rep_score`, :func:`hold_score`, capped so a rep short of the top or a hold
  under half its time is never green), the ranked corrections, why the score is what
  it is (``score_notes``), the summary's warnings, display status.

**Cuts.** :meth:`Engine.cut` (called by the pipeline when
:class:`posecheck.cuts.CutDetector` sees the whole body jump between two frames: an
edited video cutting to another camera angle or a close-up) restarts what reads
continuity: the measure history of the speed and bounce checks (the jump is no fast
movement) and the baselines of change bounds (an angle seen from another camera is
not comparable with the old view's). Both restart ``cut_settle_s`` after the cut (the
model's landmarks settle over a few frames in the new view), change baselines then
wait ``baseline_settle_s`` as for a person appearing. The phase, a running hold, a rep
under way and the counts are kept: the person did not move, only the camera did. A
hold timed against a change bound pauses until its new baseline exists (and ends if
that takes longer than ``grace_s``).
"""

from __future__ import annotations

from posecheck.engine.baselines import BASELINE_PERCENTILE, ChangeBaselines
from posecheck.engine.cues import CueScheduler
from posecheck.engine.facade import Engine
from posecheck.engine.holds import HoldTimer, Stillness
from posecheck.engine.motion import MotionChecks, reversals
from posecheck.engine.phases import PhaseMachine, match
from posecheck.engine.reps import RepCounter
from posecheck.engine.scoring import (
    CAP_FORM,
    CAP_HOLD,
    CAP_INCOMPLETE,
    CAP_SAFETY,
    CAP_SHORT_HOLD,
    hold_score,
    rep_score,
)
from posecheck.engine.side import SidePicker
from posecheck.engine.summary import UNJUDGED_SHARE, RuleCoverage
from posecheck.engine.view import FRONT_VIEW_MIN_RATIO, SIDE_VIEW_MAX_RATIO, STATE_CUES, ViewGate

_reversals = reversals  # the name tests used before the package existed

__all__ = [
    "BASELINE_PERCENTILE",
    "CAP_FORM",
    "CAP_HOLD",
    "CAP_INCOMPLETE",
    "CAP_SAFETY",
    "CAP_SHORT_HOLD",
    "FRONT_VIEW_MIN_RATIO",
    "SIDE_VIEW_MAX_RATIO",
    "STATE_CUES",
    "UNJUDGED_SHARE",
    "ChangeBaselines",
    "CueScheduler",
    "Engine",
    "HoldTimer",
    "MotionChecks",
    "PhaseMachine",
    "RepCounter",
    "RuleCoverage",
    "SidePicker",
    "Stillness",
    "ViewGate",
    "hold_score",
    "match",
    "rep_score",
]
