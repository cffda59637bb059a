import logging

from django.core.management.base import BaseCommand

log = logging.getLogger("carnet.serve")


class Command(BaseCommand):
    help = (
        "Serve Carnet: the web server (ASGI, uvicorn) and a background job worker in one "
        "process. In production run 'carnet serve --no-worker' behind a load balancer and "
        "'carnet run_huey' as separate worker processes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-worker", action="store_true", help="do not start the job worker")
        parser.add_argument("--workers", type=int, default=2, help="job worker threads (default 2)")

    def handle(self, *args, **opts):
        import uvicorn
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

        # HTTP and the emergency chat's WebSocket (Channels); uvicorn speaks WebSocket
        # through the ``websockets`` package. Imported here, not at the top: carnet.asgi builds
        # the application when imported, which only serving needs (not ``carnet help``).
        from carnet.asgi import application

        consumer = None
        if not opts["no_worker"]:
            consumer = job_worker(opts["workers"])
            consumer.start()
            self.stderr.write(f"Job worker started ({opts['workers']} threads).")
        self.stderr.write(f"Carnet is serving on http://{opts['host']}:{opts['port']}/")
        try:
            uvicorn.run(
                ASGIStaticFilesHandler(application),
                host=opts["host"],
                port=opts["port"],
                log_level="warning",
                lifespan="off",
                ws="websockets-sansio",
                # The chat's frames are small (carnet.chat.consumers.MAX_FRAME): refuse
                # megabytes before they are read into memory (uvicorn's default is 16 MiB).
                ws_max_size=64 * 1024,
            )
        finally:
            if consumer is not None:
                consumer.stop(graceful=True)


def job_worker(workers: int):
    """The Huey consumer, with every app's ``tasks`` module loaded first (as ``run_huey``
    does): periodic tasks only run if they are registered when the consumer starts."""
    from django.utils.module_loading import autodiscover_modules
    from huey.contrib.djhuey import HUEY

    autodiscover_modules("tasks")
    return HUEY.create_consumer(workers=workers, worker_type="thread")
