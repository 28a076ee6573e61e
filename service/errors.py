"""The project's own exceptions.

Every error a user can cause or fix is one of these, with a message that says what was
wrong and what to do. The CLI prints ``str(error)``; the HTTP layer maps ``code`` and
``http_status`` to a JSON body in one place.
"""

from __future__ import annotations


class SellscopeError(Exception):
    """Base of every error sellscope raises on purpose."""

    code: str = "sellscope_error"
    http_status: int = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(SellscopeError):
    """The caller's input cannot be used."""

    code = "bad_input"
    http_status = 400


class NotAVideoError(InputError):
    """The file is not a readable video (wrong type, truncated, empty)."""

    code = "not_a_video"
    http_status = 422


class NoFramesError(InputError):
    """The container opened but holds no decodable video frames."""

    code = "no_frames"
    http_status = 422


class VideoTooLongError(InputError):
    """The video is longer than the configured maximum."""

    code = "video_too_long"
    http_status = 422


class VideoTooShortError(InputError):
    """The video is too short to be a product video (a still, a GIF, a wrong file)."""

    code = "video_too_short"
    http_status = 422


class VideoTooSmallError(InputError):
    """The picture is too small to analyse."""

    code = "video_too_small"
    http_status = 422


class ModelMissingError(SellscopeError):
    """A model the pipeline needs is not in the BentoML model store."""

    code = "model_missing"
    http_status = 503


class ModelStaleError(ModelMissingError):
    """A stored model was made for another version of the code (e.g. other features)."""

    code = "model_stale"
    http_status = 503


class ModelImportError(SellscopeError):
    """A base model could not be imported from its package."""

    code = "model_import_failed"
    http_status = 500
