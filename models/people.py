"""People in roles: the three chiefs, grid workers, lawyer, volunteers, staff."""

from __future__ import annotations

from peewee import CharField, ForeignKeyField

from models.base import SyncedModel
from models.places import Building, Community, Grid, Neighborhood, Organization, Resident


class Person(SyncedModel):
    """Someone who holds a role; may also be a resident of the community."""

    community = ForeignKeyField(Community, backref="people")
    community_id: str
    name = CharField()
    phone = CharField(default="")
    resident = ForeignKeyField(Resident, null=True)
    resident_id: str | None


class Role(SyncedModel):
    """A role held by a person, scoped to a grid, neighbourhood, building or organization.

    Kinds: secretary 书记, staff, grid_chief 网格长, grid_worker 网格员,
    building_chief 楼栋长, neighborhood_chief 邻里长, lawyer 驻社区律师,
    medical_insurance 医保专干, people_mediator, volunteer, property_contact, cadre 包点干部.
    """

    person = ForeignKeyField(Person, backref="roles")
    person_id: str
    kind = CharField(index=True)
    grid = ForeignKeyField(Grid, null=True, backref="roles")
    grid_id: str | None
    neighborhood = ForeignKeyField(Neighborhood, null=True, backref="roles")
    neighborhood_id: str | None
    building = ForeignKeyField(Building, null=True, backref="roles")
    building_id: str | None
    organization = ForeignKeyField(Organization, null=True, backref="members")
    organization_id: str | None
