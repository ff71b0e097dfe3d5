"""The prospect journey: Bonzo event hooks linked to our leads.

Entry points: ``service.receive_event`` (the event hook endpoint), ``service.set_event_code``
and ``service.new_event_code`` (the tenant's ``x-bonzo-code``), ``repository.journey_for_lead``
and ``repository.links_for_lead`` (reading a lead's journey). ``envelope`` reads Bonzo's
bodies; ``apply`` turns one into journey entries. No HTTP here.
"""
