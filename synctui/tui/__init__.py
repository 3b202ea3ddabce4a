"""The Textual dashboard. It talks only to `synctui.service`; blocking calls run in thread workers
and service events (delivered on other threads) arrive as coalesced Messages."""
