"""The three feeds medpass listens to, and what each one is for (DOMAIN.md section 1)."""

from __future__ import annotations

from enum import StrEnum

from medpass.domain.errors import MessageRejected, error


class Feed(StrEnum):
    """Where a message came from: the GP record, the mental-health trust, or the acute hospital."""

    GP = "gp"
    MENTAL_HEALTH = "mental-health"
    ACUTE = "acute"

    @property
    def label(self) -> str:
        """The feed as people say it."""
        return {
            Feed.GP: "GP practice",
            Feed.MENTAL_HEALTH: "mental-health trust",
            Feed.ACUTE: "acute hospital",
        }[self]

    @property
    def heading(self) -> str:
        """The feed as a heading."""
        label = self.label
        return label if label.startswith("GP") else label[0].upper() + label[1:]


def parse_feed(name: str) -> Feed:
    """Turn a feed name into a Feed, or reject the message naming the ones that exist."""
    try:
        return Feed(name)
    except ValueError:
        known = ", ".join(feed.value for feed in Feed)
        raise MessageRejected(
            [error("value", f"unknown feed {name!r}: the feeds are {known}")]
        ) from None
