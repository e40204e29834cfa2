"""Places: community → grid → small neighbourhood → building → unit → household → resident."""

from __future__ import annotations

from peewee import (
    BooleanField,
    CharField,
    DateField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from models.base import SyncedModel


class Community(SyncedModel):
    """社区: the community a station serves."""

    name = CharField()
    district = CharField(default="")  # 区
    street = CharField(default="")  # 街道
    address = CharField(default="")
    map_width = IntegerField(default=60)
    map_height = IntegerField(default=20)


class Grid(SyncedModel):
    """网格, drawn as a rectangle on the community's schematic map."""

    community = ForeignKeyField(Community, backref="grids")
    community_id: str
    number = IntegerField()
    name = CharField()
    map_x = IntegerField(default=0)
    map_y = IntegerField(default=0)
    map_w = IntegerField(default=10)
    map_h = IntegerField(default=5)


class Neighborhood(SyncedModel):
    """小邻里: a small neighbourhood inside a grid."""

    grid = ForeignKeyField(Grid, backref="neighborhoods")
    grid_id: str
    number = IntegerField()
    name = CharField()


class Quarter(SyncedModel):
    """小区: a named residential quarter grouping buildings."""

    community = ForeignKeyField(Community, backref="quarters")
    community_id: str
    name = CharField()


class Organization(SyncedModel):
    """Property company 物业, owners' committee 业委会, department, volunteer team, co-builder."""

    community = ForeignKeyField(Community, backref="organizations")
    community_id: str
    kind = CharField(index=True)
    name = CharField()
    level = CharField(default="")  # for departments: community / street / district
    phone = CharField(default="")


class Building(SyncedModel):
    """楼栋, with its position on the schematic map (map_x, map_y in map cells)."""

    community = ForeignKeyField(Community, backref="buildings")
    community_id: str
    grid = ForeignKeyField(Grid, backref="buildings")
    grid_id: str
    neighborhood = ForeignKeyField(Neighborhood, null=True, backref="buildings")
    neighborhood_id: str | None
    quarter = ForeignKeyField(Quarter, null=True, backref="buildings")
    quarter_id: str | None
    property_company = ForeignKeyField(Organization, null=True)
    property_company_id: str | None
    number = CharField(index=True)
    name = CharField(default="")
    address = CharField(default="")
    units = IntegerField(default=1)
    floors = IntegerField(default=6)
    year_built = IntegerField(null=True)
    map_x = IntegerField(default=0)
    map_y = IntegerField(default=0)


class Unit(SyncedModel):
    """单元 of a building."""

    building = ForeignKeyField(Building, backref="unit_rows")
    building_id: str
    number = IntegerField()
    neighborhood = ForeignKeyField(Neighborhood, null=True, backref="units")
    neighborhood_id: str | None


class Household(SyncedModel):
    """户: one flat."""

    building = ForeignKeyField(Building, backref="households")
    building_id: str
    unit = ForeignKeyField(Unit, null=True, backref="households")
    unit_id: str | None
    room = CharField(index=True)
    phone = CharField(default="")
    tags = CharField(default="")  # comma-separated labels, e.g. 党员中心户
    party_member = BooleanField(default=False)  # 党员中心户

    class Meta:
        # search: a door by building and room (also made on older databases by
        # app.services.search.index.ensure_table)
        indexes = ((("building", "room"), False),)


class Resident(SyncedModel):
    """居民. ``status``: present, moved_out, deceased. ``merged_into`` for duplicate merges."""

    household = ForeignKeyField(Household, backref="residents")
    household_id: str
    name = CharField()
    gender = CharField(default="")  # M / F
    birth_date = DateField(null=True)
    id_number = CharField(default="", index=True)  # duplicates found on import (issue 16)
    phone = CharField(default="")
    relation = CharField(default="")  # head, spouse, child, parent, other
    status = CharField(default="present", index=True)
    health_note = TextField(default="")
    merged_into = CharField(null=True)
    name_pinyin = CharField(default="", index=True)  # derived search key
    name_initials = CharField(default="", index=True)  # derived search key
    phone_tail = CharField(default="", index=True)  # derived: last 4 digits


class CareFlag(SyncedModel):
    """重点关怀: why a resident needs care, and what services they get."""

    resident = ForeignKeyField(Resident, backref="care_flags")
    resident_id: str
    kind = CharField(index=True)  # elderly_alone, disabled, left_behind_child, illness, low_income
    services = CharField(default="")  # comma-separated: medical, cleaning, meals
    note = TextField(default="")
    since = DateField(null=True)
