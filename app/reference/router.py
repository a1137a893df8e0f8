"""Reference data: regions, sectors, enums."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.auth.dependencies import SessionDep
from app.core.problems import problems
from app.reference import service
from app.reference.schemas import (
    EnumList,
    NoFilter,
    RegionDetail,
    RegionFilter,
    RegionList,
    SectorList,
)

router = APIRouter(tags=["reference"])

RegionCode = Annotated[str, Path(pattern=r"^\d{2,12}$", description="Region code")]


@router.get("/regions", response_model=RegionList, responses=problems(404))
async def list_regions(session: SessionDep, query: Annotated[RegionFilter, Query()]) -> RegionList:
    """Children of a region (provinces when no parent is given)."""
    return RegionList(items=await service.list_regions(session, query.parent_code))


@router.get("/regions/{code}", response_model=RegionDetail, responses=problems(404))
async def get_region(code: RegionCode, session: SessionDep) -> RegionDetail:
    """A region with its ancestors."""
    return await service.get_region(session, code)


@router.get("/sectors", response_model=SectorList)
async def list_sectors(query: Annotated[NoFilter, Query()]) -> SectorList:
    """The ten sector keys with zh-CN and en names."""
    return SectorList(items=service.sectors())


@router.get("/reference/enums", response_model=EnumList)
async def list_enums(query: Annotated[NoFilter, Query()]) -> EnumList:
    """Every enum of the API with zh-CN and en labels."""
    return service.enums()
