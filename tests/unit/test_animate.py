"""Timeline animations without a browser: the frames' states, their common scales, and
the encoders (Pillow's GIF writer, imageio-ffmpeg's ffmpeg) read back by imageio."""

import io

import imageio.v2 as iio2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from evidence import DEMO_PATH, animate
from evidence.export import ExportError
from evidence.load import load_cached
from evidence.state import parse_query


@pytest.fixture(scope="module")
def eb():
    return load_cached(DEMO_PATH)


def test_one_frame_per_year_with_the_filters_kept(eb):
    frames = animate.frame_states(eb, parse_query("timeline=in3&origin_income=H&year=2005-2012")[0])
    assert len(frames) == 8  # the filtered years only
    assert frames[0] == ("2005", frames[0][1]) and frames[0][1].year == (2005, 2005)
    assert frames[5][0] == "2008-2010" and frames[5][1].year == (2008, 2010)
    assert all(s.origin_income == ("H",) for _, s in frames)  # the other filters stay
    assert frames[-1][0] == "2010-2012" and frames[-1][1].year == (2010, 2012)
    last = int(eb.articles["year"].max())
    upto = animate.frame_states(eb, parse_query("")[0])
    assert len(upto) == last - int(eb.articles["year"].min()) + 1
    assert upto[-1] == (f"Up to {last}", upto[-1][1]) and upto[-1][1].year is None
    ranged = animate.frame_states(eb, parse_query("year=2010-2020")[0])
    assert ranged[-1] == ("2010-2020", parse_query("year=2010-2020")[0])  # the screen's
    assert [w for w, _ in ranged[:2]] == ["2010", "2010-2011"]  # as the timeline bar says


def test_every_frame_has_the_scales_of_the_whole_animation(eb):
    frames = [f for _, f in animate.animation_frames(eb, parse_query("")[0], "map")]
    tops = {f.data[0].zmax for f in frames}
    assert tops == {max(float(np.nanmax(f.data[0].z)) for f in frames)}
    trends = [f for _, f in animate.animation_frames(eb, parse_query("timeline=in1")[0], "trends")]
    assert {tuple(f.layout.xaxis.range) for f in trends} == {(1999.5, 2020.5)}
    tallest = max(
        max(sum(np.asarray(t.y)[np.asarray(t.x) == x].sum() for t in f.data if t.type == "bar")
            for x in range(2000, 2021))
        for f in trends
    )  # fmt: skip
    assert {tuple(f.layout.yaxis.range) for f in trends} == {(0, tallest * 1.06)}
    # the step, large, in a corner of each frame
    assert [a.text for a in trends[4].layout.annotations if a.name == "timeline-step"] == [
        "<b>2004</b>"
    ]


def _pngs(n: int, size=(321, 181)) -> list[bytes]:
    out = []
    for k in range(n):
        im = Image.new("RGB", size, (250, 250, 250))
        ImageDraw.Draw(im).rectangle((10, 10, 10 + 20 * k, 60), fill=(0, 114, 178))
        buf = io.BytesIO()
        im.save(buf, "PNG")
        out.append(buf.getvalue())
    return out


def test_the_gif_loops_one_frame_per_step_holding_the_last():
    gif = Image.open(io.BytesIO(animate.encode_gif(_pngs(5))))
    assert gif.n_frames == 5 and gif.info["loop"] == 0
    durations = []
    for k in range(gif.n_frames):
        gif.seek(k)
        durations.append(gif.info["duration"])
        bar = np.asarray(gif.convert("RGB"))[30, 10 : 10 + 20 * k + 1]
        assert (bar == (0, 114, 178)).all()  # frame k is step k, colours exact
    assert durations == [1000, 1000, 1000, 1000, 3000]


# imageio's ffmpeg reader leaves its pipes to the garbage collector
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_the_mp4_is_h264_each_step_one_second_the_last_three(tmp_path):
    path = tmp_path / "a.mp4"
    path.write_bytes(animate.encode_mp4(_pngs(4)))
    with iio2.get_reader(path, format="FFMPEG") as reader:
        meta = reader.get_meta_data()
        frames = list(reader.iter_data())  # (a generator: no length to preallocate)
    assert meta["codec"] == "h264" and meta["fps"] == animate.MP4_FPS
    assert meta["size"] == (320, 180)  # even sides for yuv420p
    assert len(frames) == (3 + 3) * animate.MP4_FPS  # 3 steps of 1 s, the last 3 s
    widths = [int((np.abs(f[30, :, 2].astype(int) - 178) < 40).sum()) for f in frames]
    assert widths[0] < widths[10] < widths[20] < widths[30] == widths[-1]


def test_bad_requests_are_refused_before_any_work(eb):
    state = parse_query("")[0]
    with pytest.raises(ExportError, match="animation format"):
        animate.check_animation(eb, state, "map", "avi", 1280, 720, "light")
    with pytest.raises(ExportError, match="width"):
        animate.check_animation(eb, state, "map", "gif", 5000, 720, "light")
    with pytest.raises(ExportError, match="unknown view"):
        animate.check_animation(eb, state, "nope", "gif", 1280, 720, "light")
