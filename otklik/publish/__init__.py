"""Speaking first and openly: incidents explained, maintenance warned about, attacks refuted.

Everything here sends through the desk's machinery (`otklik.actions.send`): an `Action` of kind
`post` or `public_reply`, marked `sending` before the network hears of it, never sent twice.
"""
