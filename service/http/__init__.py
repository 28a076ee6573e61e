"""The HTTP face of sellscope: a BentoML service, its web page, and its guards.

Modules by concern: ``app`` (the ``Sellscope`` service and its endpoints), ``loading``
(which model versions the service carries and loads), ``schemas`` (pydantic models at the
HTTP edge), ``errors`` (exceptions -> status codes and JSON bodies, in one place),
``limits`` (upload size, content type, duration), ``auth`` (bearer token), ``uploads``
(temporary files), ``page`` (the web page) and ``cli`` (``sellscope serve``).
"""
