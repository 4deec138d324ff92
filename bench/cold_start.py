"""Child process of the cold-start figure: start, answer one update, print the time, exit.

`python -m bench.cold_start DIR datadialog|echo|migrate`. The parent notes the time before
launching; this prints time.time() when the first reply leaves, so imports count too.
"""

import asyncio
import sys
import time
from pathlib import Path


async def first_answer(folder: Path, kind: str) -> float:
    from bench.flow_steps import datadialog_app, echo_app
    from bench.lean_api import LeanApi, text_update
    from bot.lifecycle import running

    api = LeanApi()
    app = datadialog_app(api, folder) if kind == "datadialog" else echo_app(api, concurrent=False)
    async with running(app):
        await app.process_update(text_update(1, 42, "/start", app.bot))
        answered = time.time()
    return answered


def main() -> None:
    folder, kind = Path(sys.argv[1]), sys.argv[2]
    if kind == "migrate":
        from bench.flow_steps import datadialog_app
        from bench.lean_api import LeanApi
        from bot.lifecycle import running

        async def migrate_only() -> None:
            async with running(datadialog_app(LeanApi(), folder)):
                pass

        asyncio.run(migrate_only())
        return
    print(asyncio.run(first_answer(folder, kind)))


if __name__ == "__main__":
    main()
