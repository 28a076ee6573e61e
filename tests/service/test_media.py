"""Media stage on videos generated on the fly."""

from __future__ import annotations

import numpy as np
import pytest

from service.errors import InputError, NoFramesError, NotAVideoError, VideoTooLongError
from service.media import DecodeOptions, decode, decode_audio, probe


def test_sampled_frames_have_the_asked_rate_and_times(make_video):
    path = make_video(duration=4.0, fps=30, size=(180, 320))
    v = decode(path, DecodeOptions(sample_fps=2.0, cut_fps=8.0))
    assert v.frames.shape == (8, 320, 180, 3)
    np.testing.assert_allclose(v.frame_times, np.arange(8) * 0.5, atol=0.04)
    assert len(v.thumbs) == pytest.approx(32, abs=1)
    assert v.info.duration_s == pytest.approx(4.0, abs=0.1)
    assert v.info.fps == pytest.approx(30.0)
    assert (v.info.width, v.info.height) == (180, 320)


def test_large_frames_are_scaled_to_max_side(make_video):
    v = decode(make_video(duration=1.0, size=(720, 1280), fps=5), DecodeOptions(max_side=640))
    assert v.frames.shape[1:] == (640, 360, 3)
    assert (v.info.width, v.info.height) == (720, 1280)  # the facts stay the file's


def test_video_without_audio_track(make_video):
    v = decode(make_video(duration=1.0))
    assert not v.info.has_audio
    assert v.audio.size == 0


def test_audio_is_16k_mono_float(make_video):
    tone = (0.3 * np.sin(2 * np.pi * 440 * np.arange(32000) / 16000)).astype(np.float32)
    v = decode(make_video(duration=2.0, audio=tone))
    assert v.info.has_audio and v.info.audio_codec == "aac"
    assert v.audio.dtype == np.float32
    assert abs(len(v.audio) - 32000) < 2000  # AAC priming adds a few ms
    rms = float(np.sqrt(np.mean(v.audio[4000:28000] ** 2)))
    assert rms == pytest.approx(0.3 / np.sqrt(2), rel=0.15)


def test_speaker_alone_on_one_channel_is_kept(make_video):
    n = 32000
    left = (0.5 * np.sin(2 * np.pi * 300 * np.arange(n) / 16000)).astype(np.float32)
    stereo = np.stack([left, np.zeros(n, np.float32)])
    audio = decode_audio(make_video(duration=2.0, audio_channels=stereo))
    assert np.sqrt(np.mean(audio[4000:28000] ** 2)) > 0.1


def test_rotated_phone_video_is_upright(tmp_path):
    from training.render import write_video

    def frame(i, t):  # coded landscape, white block top-left
        img = np.zeros((180, 320, 3), np.uint8)
        img[:40, :40] = 255
        return img

    path = write_video(tmp_path / "rotated.mp4", frame, 1.0, size=(320, 180), fps=10, rotation=90)
    v = decode(path)
    assert v.info.rotation == 90
    assert (v.info.width, v.info.height) == (180, 320)
    img = v.frames[0]
    assert img.shape[:2] == (320, 180)
    ys, xs = np.nonzero(img[:, :, 0] > 200)
    # counter-clockwise display rotation: the top-left corner ends bottom-left (as OpenCV shows it)
    assert ys.mean() > 250 and xs.mean() < 40


def test_variable_frame_rate_samples_evenly(make_video):
    times = []
    t = 0.0
    rng = np.random.default_rng(1)
    while t < 3.9:
        times.append(round(t, 3))
        t += float(rng.choice([1 / 60, 1 / 30, 1 / 10]))
    path = make_video(duration=4.0, fps=30, frame_times=times)
    v = decode(path, DecodeOptions(sample_fps=2.0))
    assert v.info.variable_frame_rate
    assert len(v.frames) == 8
    # a sample lands on the first decoded frame at or after its slot (slowest source gap 0.1 s,
    # and non-reference frames are skipped)
    assert np.all(np.abs(v.frame_times - np.arange(8) * 0.5) < 0.21)


def test_odd_picture_size(make_video):
    v = decode(make_video(duration=1.0, size=(201, 357), fps=10, pix_fmt="yuv444p"))
    assert (v.info.width, v.info.height) == (201, 357)
    assert v.frames.shape[0] == 2


def test_text_file_named_mp4_is_not_a_video(tmp_path):
    p = tmp_path / "clip.mp4"
    p.write_text("this is not a video\n" * 50)
    with pytest.raises(NotAVideoError, match="not a readable video") as e:
        decode(p)
    # FFmpeg's words, not its errno or the full path (the user gave the file, not /tmp/...)
    assert "Invalid data" in str(e.value) and "Errno" not in str(e.value)
    assert str(tmp_path) not in str(e.value)


def test_zero_byte_file(tmp_path):
    p = tmp_path / "empty.mp4"
    p.write_bytes(b"")
    with pytest.raises(NotAVideoError, match="empty"):
        probe(p)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        probe(tmp_path / "nope.mp4")


def test_truncated_file(make_video, tmp_path):
    good = make_video(duration=3.0, size=(320, 568), fps=25)
    data = good.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 3])
    with pytest.raises(NotAVideoError):
        decode(cut)


def test_truncated_faststart_file_is_caught(tmp_path):
    """moov at the front: the file opens, but the pictures stop early."""
    import av

    from training.render import write_video

    src = write_video(
        tmp_path / "src.mp4",
        lambda i, t: np.full((320, 180, 3), int(t * 20) % 255, np.uint8),
        6.0,
        size=(180, 320),
        fps=25,
        crf=18,
    )
    fast = tmp_path / "fast.mp4"
    with av.open(str(src)) as i, av.open(str(fast), "w", options={"movflags": "faststart"}) as o:
        s = o.add_stream_from_template(i.streams.video[0])
        for pkt in i.demux(i.streams.video[0]):
            if pkt.dts is not None:
                pkt.stream = s
                o.mux(pkt)
    data = fast.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 3])
    with pytest.raises(NotAVideoError, match="truncated|cannot be decoded|not a readable"):
        decode(cut)


def test_too_long(make_video):
    path = make_video(duration=3.0)
    with pytest.raises(VideoTooLongError, match="limit is 2 s"):
        decode(path, DecodeOptions(max_duration_s=2.0))


def test_audio_only_file_is_refused(tmp_path):
    import av

    p = tmp_path / "voice.mp4"
    with av.open(str(p), "w") as c:
        s = c.add_stream("aac", rate=16000)
        s.layout = "mono"
        f = av.AudioFrame.from_ndarray(
            np.zeros((1, 16000), np.float32), format="fltp", layout="mono"
        )
        f.sample_rate = 16000
        for pkt in s.encode(f):
            c.mux(pkt)
        for pkt in s.encode(None):
            c.mux(pkt)
    with pytest.raises(NotAVideoError, match="audio file"):
        probe(p)


def test_video_track_without_decodable_frames(make_video, tmp_path):
    """A valid container whose picture data is all zeros: nothing decodes."""
    data = bytearray(make_video(duration=1.0, fps=10).read_bytes())
    at = data.find(b"mdat")
    size = int.from_bytes(data[at - 4 : at], "big")
    data[at + 4 : at - 4 + size] = bytes(size - 8)
    p = tmp_path / "zeroed.mp4"
    p.write_bytes(bytes(data))
    with pytest.raises(
        (NoFramesError, NotAVideoError), match="no decodable frames|cannot be decoded"
    ):
        decode(p)


def test_folder_is_refused(tmp_path):
    with pytest.raises(InputError, match="folder"):
        probe(tmp_path)


def test_frame_buffer_grows_past_a_short_declared_duration_and_keeps_order():
    from service.media import _FrameBuffer

    buf = _FrameBuffer(2)
    for i in range(7):
        buf.append(np.full((4, 6, 3), i, np.uint8))
    out = buf.array()
    assert out.shape == (7, 4, 6, 3)
    assert [int(f[0, 0, 0]) for f in out] == list(range(7))


def test_frame_buffer_drops_unused_room_when_the_declared_duration_was_long():
    from service.media import _FrameBuffer

    buf = _FrameBuffer(100)
    buf.append(np.zeros((4, 6, 3), np.uint8))
    out = buf.array()
    assert out.shape == (1, 4, 6, 3)
    assert out.base is None or out.base.shape[0] == 1  # not a view into 100 frames
