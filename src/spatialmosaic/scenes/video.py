"""Frames out of a video file (ScanNet++ ``iphone/rgb.mp4`` / ``rgb.mkv``) with PyAV.

Frame ``n`` is the ``n``-th decoded frame, counting from 0: the numbering of the ScanNet++
toolkit's extraction (``ffmpeg -i rgb.mp4 -start_number 0 frame_%06d.jpg`` in
``iphone/prepare_iphone_data.py``), so it matches the ``frame_NNNNNN`` keys of
``pose_intrinsic_imu.json``. Decoding is sequential up to the last frame asked for (H.264
seeking is not frame-exact), converting only the frames asked for.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from spatialmosaic.io import ArtefactError


def read_video_frames(path: Path, indices: list[int]) -> dict[int, np.ndarray]:
    """The frames at ``indices`` as [H, W, 3] uint8 RGB arrays.

    Raises:
        ArtefactError: the file is missing, not a decodable video, or shorter than an index.
    """
    import av  # PyAV (FFmpeg bindings): only the video path needs it

    if not path.is_file():
        raise ArtefactError(f"{path}: missing video")
    wanted, frames, decoded = set(indices), {}, 0
    if not wanted:
        return frames
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise ArtefactError(f"{path}: no video stream")
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            for frame in container.decode(stream):
                if decoded in wanted:
                    frames[decoded] = frame.to_ndarray(format="rgb24")
                decoded += 1
                if decoded > max(wanted):
                    break
    except av.error.FFmpegError as error:
        raise ArtefactError(f"{path}: not a decodable video ({error})") from None
    missing = sorted(wanted - frames.keys())
    if missing:
        raise ArtefactError(f"{path}: {decoded} frames; frame {missing[0]} was asked for")
    return frames
