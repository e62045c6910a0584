"""Consumer agents: the readable, one-consumer-at-a-time reference of the word-of-mouth rules.

Each :class:`Consumer` is a Mesa agent standing on one node of the social graph. Its state is
stored in the model's arrays (``model.state``) and its traits in ``model.traits``; the attributes
below read and write them, so the reference engine and the vectorised engine share one state and
one set of metrics. Every phase is split into ``decide_*`` (read the state as the phase began,
remember the decision) and ``commit_*`` (apply it), so the order of activation never matters.
The formulas are those of :mod:`sim.rules.wom`, written out for one consumer.
"""

from __future__ import annotations

import enum
import math
from typing import TYPE_CHECKING

import mesa

from sim.population import (
    NEVER,
    NOBODY,
    SOURCE_CODES,
    VIA_ADS,
    VIA_MEDIA,
    VIA_WOM,
)
from sim.rules.wom import MAX_READ_PROB, reach_factors

if TYPE_CHECKING:
    from sim.world import World


class Sentiment(enum.IntEnum):
    """A consumer's sentiment toward the brand, derived from attitude (unaware = NEUTRAL)."""

    DETRACTOR = -1
    NEUTRAL = 0
    PROMOTER = 1


def _state_field(name: str, cast):
    def getter(self: Consumer):
        return cast(getattr(self.model.state, name)[self.index])

    def setter(self: Consumer, value) -> None:
        getattr(self.model.state, name)[self.index] = value

    return property(getter, setter, doc=f"``model.state.{name}[index]``")


def _trait_field(name: str):
    return property(lambda self: float(getattr(self.model.traits, name)[self.index]),
                    doc=f"``model.traits.{name}[index]`` (read-only)")


class Consumer(mesa.Agent):
    """One consumer on the social graph.

    Parameters
    ----------
    model : World
        The model; its graph gives this consumer's neighbours and tie strengths.
    index : int
        The consumer's node number in the graph (0 .. n-1).
    """

    model: World

    aware = _state_field("aware", bool)
    attitude = _state_field("attitude", float)
    customer = _state_field("customer", bool)
    ever_customer = _state_field("ever_customer", bool)
    churned = _state_field("churned", bool)
    loyalty = _state_field("loyalty", float)
    last_news = _state_field("last_news", int)
    aware_via = _state_field("aware_via", int)
    persuader = _state_field("persuader", int)
    persuader_source = _state_field("persuader_source", int)
    source = _state_field("source", int)
    converted_by = _state_field("converted_by", int)
    talkativeness = _trait_field("talkativeness")
    susceptibility = _trait_field("susceptibility")
    credibility = _trait_field("credibility")
    expectation = _trait_field("expectation")

    def __init__(self, model: World, index: int):
        super().__init__(model)
        self.index = index
        graph = model.graph
        self.neighbor_indices: list[int] = graph.neighbors(index).tolist()
        self.tie_weights: list[float] = graph.tie_weights(index).tolist()
        self._pending: dict = {}

    # ----------------------------------------------------------------- derived
    @property
    def sentiment(self) -> Sentiment:
        """Promoter if aware with attitude >= threshold, detractor if <= -threshold."""
        threshold = self.model.params.promoter_threshold
        if not self.aware:
            return Sentiment.NEUTRAL
        if self.attitude >= threshold:
            return Sentiment.PROMOTER
        if self.attitude <= -threshold:
            return Sentiment.DETRACTOR
        return Sentiment.NEUTRAL

    def _draw(self, name: str) -> float:
        return float(getattr(self.model.draws, name)[self.index])

    # --------------------------------------------------------- (1) brand media
    def decide_brand(self) -> None:
        """Become aware through mass media or paid ads? (One draw decides both.)"""
        p = self.model.params
        via = 0
        if not self.aware:
            u = self._draw("media")
            if u < p.media_awareness:
                via = VIA_MEDIA
            elif u < p.media_awareness + (self.model.levers.extra_awareness
                                          * self.model.levers.awareness_factor[self.index]):
                via = VIA_ADS
        self._pending["media"] = via

    def commit_brand(self) -> None:
        day = self.model.day
        via = self._pending["media"]
        if via:
            self.aware = True
            self.aware_via = via
            tone = self.model.params.media_tone if via == VIA_MEDIA else self.model.levers.ads_tone
            self.attitude = tone
            self.last_news = day.t
        day.newly_aware_media[self.index] = bool(via)

    # -------------------------------------------------------- (2) experience
    def decide_experience(self) -> None:
        """Use the product today? How satisfied? Complain?"""
        p = self.model.params
        used = self.customer and self._draw("use") < p.usage_rate
        satisfaction = 0.0
        complained = False
        if used:
            shift = self.model.levers.quality_shift[self.index]  # a crisis, if any
            felt = min(1.0, max(0.0, p.quality + p.quality_noise * self._draw("noise") - shift))
            satisfaction = min(1.0, max(-1.0, (felt - self.expectation) / p.satisfaction_scale))
            complained = (satisfaction <= -p.complaint_threshold
                          and self._draw("complain") < p.complaint_rate)
        self._pending["experience"] = (used, satisfaction, complained)

    def commit_experience(self) -> None:
        used, satisfaction, complained = self._pending["experience"]
        day = self.model.day
        if used:
            self.attitude += self.model.params.experience_weight * (satisfaction - self.attitude)
            self.last_news = day.t
        day.used[self.index] = used
        day.satisfaction[self.index] = satisfaction
        day.complained[self.index] = complained

    # -------------------------------------------------------------- (3) talk
    def decide_post(self) -> None:
        """Post today, positive (+1) or negative (-1)? Complainers always post negatively."""
        p = self.model.params
        day = self.model.day
        valence = 0
        if day.complained[self.index]:
            valence = -1
        else:
            sentiment = self.sentiment
            if sentiment != Sentiment.NEUTRAL:
                fresh = 0.0
                if self.last_news != NEVER:
                    fresh = math.exp(-(day.t - self.last_news) / p.news_memory)
                prob = self.talkativeness * fresh * self.model.levers.talk_multiplier[self.index]
                prob *= 1.0 if self.ever_customer else p.hearsay_talk
                if sentiment == Sentiment.DETRACTOR:
                    prob *= p.detractor_talk
                if self._draw("talk") < min(1.0, prob):
                    valence = int(sentiment)
        self._pending["post"] = valence

    def commit_post(self) -> None:
        self.model.day.posted[self.index] = self._pending["post"]

    def ties(self) -> list[tuple[int, float, float, bool]]:
        """(sender, tie strength, attention, over a group tie) of every tie a post can reach
        this consumer over: the social ties and, for a brand community's member, the group's
        (:attr:`sim.world.World.groups`), in sender order, social before group."""
        attention = self.model.params.attention
        social = [(j, w, attention, False) for j, w in
                  zip(self.neighbor_indices, self.tie_weights, strict=True)]
        groups = self.model.groups
        if groups is None or groups.indptr[self.index] == groups.indptr[self.index + 1]:
            return social
        group = [(j, w, groups.attention, True) for j, w in
                 zip(groups.neighbors(self.index).tolist(),
                     groups.tie_weights(self.index).tolist(), strict=True)]
        return sorted(social + group, key=lambda tie: tie[0])  # stable: social first

    def decide_listen(self) -> None:
        """Read today's posts of neighbours (and group members)? What signal do they carry?"""
        p = self.model.params
        posted = self.model.day.posted
        levers = self.model.levers
        groups = self.model.groups
        w_pos = w_neg = c_pos = c_neg = 0.0
        miss = 1.0  # probability of reading none of today's posts
        best, best_score = NOBODY, -1.0
        reach = reach_factors(self.model.graph, p.audience)  # a poster's limited audience
        for j, w, attention, over_group in self.ties():
            valence = posted[j]
            if valence == 0 or (over_group and valence < 0 and groups.muted[j]):
                continue  # no post; or a complaint moderation removed from the group
            if not over_group:
                attention *= reach[j]  # spread over all of j's social ties
            cred = self.model.traits.credibility[j] * levers.message_credibility[j]
            weight = w * levers.post_persuasion[j]  # the post's weight in pull and signal
            if weight * cred > best_score:  # the most persuasive post; ties go to the lowest index
                best, best_score = j, weight * cred
            miss *= 1.0 - min(attention * w, MAX_READ_PROB)
            if valence > 0:
                w_pos += weight
                c_pos += weight * cred
            else:
                w_neg += weight
                c_neg += weight * cred
        total = w_pos + p.negativity_bias * w_neg
        heard = total > 0 and self._draw("hear") < 1.0 - miss
        signal = (c_pos - p.negativity_bias * c_neg) / total if heard else 0.0
        pull = self.susceptibility * -math.expm1(-p.persuasion * total)
        self._pending["listen"] = (heard, signal, pull, best)

    def commit_listen(self) -> None:
        heard, signal, pull, best = self._pending["listen"]
        day = self.model.day
        day.newly_aware_wom[self.index] = heard and not self.aware
        if heard:
            if not self.aware:
                self.aware_via = VIA_WOM
            self.persuader = best
            self.persuader_source = int(self.model.levers.post_source[best])
            self.aware = True
            self.attitude += pull * (signal - self.attitude)
            self.last_news = day.t
        day.heard[self.index] = heard
        day.heard_signal[self.index] = signal

    # ---------------------------------------------------------- (4) adoption
    def decide_adoption(self) -> None:
        """Buy today? Probability rises with attitude (logistic)."""
        p = self.model.params
        eligible = self.aware and not self.customer and not self.churned
        prob = p.max_purchase_rate / (
            1.0 + math.exp(-p.purchase_slope * (self.attitude - p.purchase_midpoint)))
        prob = min(1.0, prob * self.model.levers.purchase_multiplier[self.index])
        self._pending["buy"] = eligible and self._draw("adopt") < prob

    def commit_adoption(self) -> None:
        day = self.model.day
        if self._pending["buy"]:
            self.source = self._purchase_source()
            self.converted_by = self.persuader
            self.customer = True
            self.ever_customer = True
            self.loyalty = self.model.params.initial_loyalty
            self.last_news = day.t
        day.bought[self.index] = self._pending["buy"]

    def _purchase_source(self) -> int:
        """The source of the last persuasive post read; else how the consumer became aware."""
        if self.persuader_source:
            return self.persuader_source
        return SOURCE_CODES["from_ads" if self.aware_via == VIA_ADS else "from_media"]

    # ----------------------------------------------------------- (5) loyalty
    def decide_loyalty(self) -> None:
        """New loyalty from satisfaction and heard WOM; churn if it is too low."""
        p = self.model.params
        day = self.model.day
        if not self.customer:
            self._pending["loyalty"] = None
            return
        change = (p.satisfaction_loyalty * day.satisfaction[self.index]
                  + p.wom_loyalty * day.heard_signal[self.index]
                  + self.model.levers.loyalty_bonus[self.index])
        loyalty = min(1.0, max(0.0, self.loyalty + change))
        leave = loyalty < p.churn_threshold and self._draw("churn") < p.churn_rate
        self._pending["loyalty"] = (loyalty, leave)

    def commit_loyalty(self) -> None:
        pending = self._pending["loyalty"]
        leave = False
        if pending is not None:
            loyalty, leave = pending
            self.loyalty = 0.0 if leave else loyalty
            if leave:
                self.customer = False
                self.churned = True
        self.model.day.churned[self.index] = leave

    # -------------------------------------------------------- (6) forgetting
    def forget(self) -> None:
        """Attitude decays toward neutral (touches only this consumer)."""
        self.attitude *= 1.0 - self.model.params.attitude_decay
