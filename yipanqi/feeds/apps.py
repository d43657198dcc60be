from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "yipanqi.feeds"
    label = "feeds"

    def ready(self):
        from yipanqi.feeds.counted import FAMILIES
        from yipanqi.ledger.families import register

        # R-FEED-1: feed reports are counted in the transaction that changes them.
        register(FAMILIES)
