#!/bin/sh
# Re-render the sample clips and their truth files (deterministic: fixed seeds).
# Run from the repository root:  sh sample_videos/render_all.sh
set -eu
cd "$(dirname "$0")/.."
export PYTHONPATH="src${PYTHONPATH:+:$PYTHONPATH}"
r() { python -m posecheck render --force "$@"; }
r bridge          --seed 1 --side left  --reps 2 --rest-s 0.6 -o sample_videos/bridge.mp4
r cat-camel       --seed 2 --side left  --reps 2 -o sample_videos/cat-camel.mp4
r bird-dog        --seed 3 --side left  --reps 2 --hold-s 3 -o sample_videos/bird-dog.mp4
r knees-to-chest  --seed 4 --side right --reps 2 --hold-s 5 -o sample_videos/knees-to-chest.mp4
r pelvic-tilt     --seed 5 --side left  --reps 2 --hold-s 4 -o sample_videos/pelvic-tilt.mp4
r bridge          --seed 6 --side right --reps 2 --rest-s 0.6 --fault hips_sag -o sample_videos/bridge-hips-sag.mp4
