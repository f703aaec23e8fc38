"""Live coaching: the webcam (or a file played as if live) through the one frame loop.

``posecheck live`` is ``pipeline.run`` with a live source and live sinks. This
package holds the live-only pieces:

- :mod:`.setup`: is the person fully in view and seen from the right side? (pure)
- :mod:`.coach`: wraps the engine with the set-up stage, the get-ready countdown,
  pause/side/reset keys, rest between sets and the end of the dose (pure)
- :mod:`.speech`: spoken cues through a speech engine subprocess, never blocking
- :mod:`.events`: headless event lines (text or JSON lines)
- :mod:`.stats`: frames/s and capture-to-display latency
- :mod:`.source`: the live source wrapper (stop on quit, survive a lost camera)
- :mod:`.window`, :mod:`.hud`: the OpenCV window and the live-only HUD

Only :mod:`.window` and :mod:`.hud` import OpenCV.
"""
