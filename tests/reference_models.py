"""Plain-Python reference implementations of the repeat-use models, written from docs/predictions.md.

Deliberately naive and independent of the kit: one customer at a time, math.lgamma,
and the Gauss hypergeometric series summed term by term in its original form (no
Euler or Pfaff transformation, no scipy, no numpy). The tests compare the kit's
vectorised code against these on small data.
"""

from __future__ import annotations

import math


def hyp2f1(a: float, b: float, c: float, z: float) -> float:
    """2F1(a, b; c; z) by its power series (|z| < 1), summed until the terms stop mattering."""
    assert abs(z) < 1, z
    total, term, n = 1.0, 1.0, 0
    while True:
        term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
        total += term
        n += 1
        if abs(term) < 1e-17 * abs(total) and n > 5:
            return total
        assert n < 1_000_000, "series did not converge"


def bg_nbd_ll(r: float, alpha: float, a: float, b: float, x: int, tx: float, t_cal: float) -> float:
    """BG/NBD log-likelihood of one customer (Fader, Hardie & Lee 2005, eq. 6)."""
    beta_ab = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    beta_a_bx = math.lgamma(a) + math.lgamma(b + x) - math.lgamma(a + b + x)
    gamma_part = math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha)
    likelihood = math.exp(beta_a_bx - beta_ab + gamma_part - (r + x) * math.log(alpha + t_cal))
    if x > 0:
        beta_a1_bx1 = math.lgamma(a + 1) + math.lgamma(b + x - 1) - math.lgamma(a + b + x)
        likelihood += math.exp(beta_a1_bx1 - beta_ab + gamma_part - (r + x) * math.log(alpha + tx))
    return math.log(likelihood)


def bg_nbd_p_alive(r: float, alpha: float, a: float, b: float, x: int, tx: float, t_cal: float) -> float:
    """P(alive | x, t_x, T) under BG/NBD."""
    if x == 0:
        return 1.0
    return 1 / (1 + a / (b + x - 1) * ((alpha + t_cal) / (alpha + tx)) ** (r + x))


def bg_nbd_conditional(r: float, alpha: float, a: float, b: float, x: int, tx: float, t_cal: float, t: float) -> float:
    """E[uses in (T, T + t] | x, t_x, T] under BG/NBD (Fader, Hardie & Lee 2005, eq. 10), original form."""
    z = t / (alpha + t_cal + t)
    bracket = 1 - ((alpha + t_cal) / (alpha + t_cal + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    return bg_nbd_p_alive(r, alpha, a, b, x, tx, t_cal) * (a + b + x - 1) / (a - 1) * bracket


def _pareto_a0(r: float, alpha: float, s: float, beta: float, x: int, tx: float, t_cal: float) -> float:
    """A0 of Fader & Hardie's note (2005), eq. 22-23, with 2F1 in its original form."""
    rsx = r + s + x
    if alpha >= beta:

        def part(t: float) -> float:
            return hyp2f1(rsx, s + 1, rsx + 1, (alpha - beta) / (alpha + t)) / (alpha + t) ** rsx

    else:

        def part(t: float) -> float:
            return hyp2f1(rsx, r + x, rsx + 1, (beta - alpha) / (beta + t)) / (beta + t) ** rsx

    return part(tx) - part(t_cal)


def pareto_nbd_ll(r: float, alpha: float, s: float, beta: float, x: int, tx: float, t_cal: float) -> float:
    """Pareto/NBD log-likelihood of one customer (Fader & Hardie 2005 note, eq. 22)."""
    common = math.exp(math.lgamma(r + x) - math.lgamma(r)) * alpha**r * beta**s
    active = 1 / ((alpha + t_cal) ** (r + x) * (beta + t_cal) ** s)
    stopped = s / (r + s + x) * _pareto_a0(r, alpha, s, beta, x, tx, t_cal)
    return math.log(common * (active + stopped))


def pareto_nbd_p_alive(r: float, alpha: float, s: float, beta: float, x: int, tx: float, t_cal: float) -> float:
    """P(alive | x, t_x, T) under Pareto/NBD: the "still active" share of the likelihood."""
    active = 1 / ((alpha + t_cal) ** (r + x) * (beta + t_cal) ** s)
    stopped = s / (r + s + x) * _pareto_a0(r, alpha, s, beta, x, tx, t_cal)
    return active / (active + stopped)


def pareto_nbd_conditional(
    r: float, alpha: float, s: float, beta: float, x: int, tx: float, t_cal: float, t: float
) -> float:
    """E[uses in (T, T + t] | x, t_x, T] under Pareto/NBD."""
    alive = pareto_nbd_p_alive(r, alpha, s, beta, x, tx, t_cal)
    growth = (1 - ((beta + t_cal) / (beta + t_cal + t)) ** (s - 1)) / (s - 1)
    return alive * (r + x) * (beta + t_cal) / (alpha + t_cal) * growth


def gamma_gamma_ll(p: float, q: float, gamma: float, x: int, m: float) -> float:
    """Gamma-Gamma log-likelihood of one repeat customer with x repeat uses of mean value m."""
    return (
        math.lgamma(p * x + q)
        - math.lgamma(p * x)
        - math.lgamma(q)
        + q * math.log(gamma)
        + (p * x - 1) * math.log(m)
        + p * x * math.log(x)
        - (p * x + q) * math.log(gamma + m * x)
    )
