import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Authenticated, CurrentPrincipal, RequireRoles, Role, requestPrincipal, type Principal } from '@hearth/authz';
import { PageArgs, LocalDateScalar, type Connection } from '@hearth/pagination';
import { ContactCardService } from './contact-card.service.js';
import { DiscoveryService } from './discovery.service.js';
import type { MemberRow } from './membership.repository.js';
import { FamilyService } from './family.service.js';
import type { JoinRequestRow } from './join-request.repository.js';
import { MembershipRequestService } from './membership-request.service.js';
import { GrantReviewOutcome, ProtectionStatus } from './network.enums.js';
import { AddPersonInput, CreateFamilyInput } from './network.inputs.js';
import {
  AccessGrantConnection,
  AccessGrantModel,
  ContactCardModel,
  FamilyConnection,
  FamilyModel,
  JoinRequestModel,
  NetworkMemberModel,
  PersonMatchModel,
  PersonModel,
} from './network.models.js';

type GqlContext = { req: object };

@Resolver(() => FamilyModel)
export class FamilyResolver {
  constructor(
    private readonly families: FamilyService,
    private readonly cards: ContactCardService,
    private readonly requests: MembershipRequestService,
    private readonly discovery: DiscoveryService,
  ) {}

  @Authenticated()
  @Query(() => FamilyModel, { description: 'NOT_FOUND when absent or not visible to the caller' })
  family(@CurrentPrincipal() principal: Principal, @Args('id', { type: () => ID }) id: string): Promise<FamilyModel> {
    return this.families.get(principal, id);
  }

  @Authenticated()
  @Query(() => FamilyConnection)
  myFamilies(@CurrentPrincipal() principal: Principal, @Args() page: PageArgs): Promise<Connection<FamilyModel>> {
    return this.families.mine(principal, page);
  }

  @Authenticated()
  @Query(() => [PersonMatchModel], { description: 'Whether a network exists for a person, and its lead: nothing else' })
  searchPeople(
    @CurrentPrincipal() principal: Principal,
    @Args('name') name: string,
    @Args('dateOfBirth', { type: () => LocalDateScalar, nullable: true }) dateOfBirth?: string | null,
  ): Promise<PersonMatchModel[]> {
    return this.discovery.searchPeople(principal, name, dateOfBirth);
  }

  @Authenticated()
  @Mutation(() => FamilyModel, { description: 'The creator becomes the lead' })
  createFamily(
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: CreateFamilyInput,
  ): Promise<FamilyModel> {
    return this.families.create(principal, input);
  }

  @Authenticated()
  @Mutation(() => PersonModel)
  addPerson(@CurrentPrincipal() principal: Principal, @Args('input') input: AddPersonInput): Promise<PersonModel> {
    return this.families.addPerson(principal, input);
  }

  @Authenticated()
  @Mutation(() => FamilyModel)
  setProtectionStatus(
    @CurrentPrincipal() principal: Principal,
    @Args('familyId', { type: () => ID }) familyId: string,
    @Args('status', { type: () => ProtectionStatus }) status: ProtectionStatus,
  ): Promise<FamilyModel> {
    return this.families.setProtectionStatus(principal, familyId, status);
  }

  @Authenticated()
  @Mutation(() => NetworkMemberModel)
  async addNetworkMember(
    @CurrentPrincipal() principal: Principal,
    @Args('familyId', { type: () => ID }) familyId: string,
    @Args('userId', { type: () => ID }) userId: string,
    @Args('expiresAt', { type: () => Date, nullable: true, description: 'Time-boxed membership' })
    expiresAt?: Date | null,
  ): Promise<NetworkMemberModel> {
    const row = await this.families.addMember(principal, { familyId, userId, expiresAt });
    return this.memberModel(principal, row);
  }

  @Authenticated()
  @Mutation(() => NetworkMemberModel, {
    description: 'Mark your own role in this network sensitive: others see a contact route instead',
  })
  async setMyRoleSensitive(
    @CurrentPrincipal() principal: Principal,
    @Args('familyId', { type: () => ID }) familyId: string,
    @Args('sensitive') sensitive: boolean,
    @Args('contactRoute', { type: () => String, nullable: true }) contactRoute?: string | null,
  ): Promise<NetworkMemberModel> {
    const row = await this.families.setOwnSensitivity(principal, familyId, sensitive, contactRoute);
    return this.memberModel(principal, row);
  }

  @Authenticated()
  @Mutation(() => Boolean)
  removeNetworkMember(
    @CurrentPrincipal() principal: Principal,
    @Args('familyId', { type: () => ID }) familyId: string,
    @Args('userId', { type: () => ID }) userId: string,
  ): Promise<boolean> {
    return this.families.removeMember(principal, familyId, userId);
  }

  @Authenticated()
  @Mutation(() => FamilyModel)
  transferLead(
    @CurrentPrincipal() principal: Principal,
    @Args('familyId', { type: () => ID }) familyId: string,
    @Args('userId', { type: () => ID }) userId: string,
  ): Promise<FamilyModel> {
    return this.families.transferLead(principal, familyId, userId);
  }

  @Authenticated()
  @Query(() => [JoinRequestModel], { description: 'Pending requests to join a network you lead' })
  async joinRequests(
    @CurrentPrincipal() principal: Principal,
    @Args('familyId', { type: () => ID }) familyId: string,
  ): Promise<JoinRequestModel[]> {
    return Promise.all(
      (await this.requests.pendingFor(principal, familyId)).map((r) => this.joinRequestModel(principal, r)),
    );
  }

  @Authenticated()
  @Mutation(() => JoinRequestModel)
  async requestToJoin(
    @CurrentPrincipal() principal: Principal,
    @Args('familyId', { type: () => ID }) familyId: string,
    @Args('reason') reason: string,
  ): Promise<JoinRequestModel> {
    return this.joinRequestModel(principal, await this.requests.requestToJoin(principal, familyId, reason));
  }

  @Authenticated()
  @Mutation(() => JoinRequestModel)
  async decideJoinRequest(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('approve') approve: boolean,
  ): Promise<JoinRequestModel> {
    return this.joinRequestModel(principal, await this.requests.decide(principal, id, approve));
  }

  @Authenticated()
  @Mutation(() => AccessGrantModel, {
    description: 'Urgent, time-boxed, read-only access to a family outside your networks; reviewed by an auditor',
  })
  requestBreakGlass(
    @CurrentPrincipal() principal: Principal,
    @Args('familyId', { type: () => ID }) familyId: string,
    @Args('reason') reason: string,
  ): Promise<AccessGrantModel> {
    return this.requests.breakGlass(principal, familyId, reason);
  }

  @RequireRoles(Role.AUDITOR)
  @Mutation(() => AccessGrantModel)
  reviewAccessGrant(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('outcome', { type: () => GrantReviewOutcome }) outcome: GrantReviewOutcome,
    @Args('note') note: string,
  ): Promise<AccessGrantModel> {
    return this.requests.review(principal, id, outcome, note);
  }

  @RequireRoles(Role.AUDITOR)
  @Query(() => AccessGrantConnection, { description: 'Break-glass grants for review' })
  accessGrants(
    @CurrentPrincipal() principal: Principal,
    @Args() page: PageArgs,
    @Args('pendingReview', { type: () => Boolean, nullable: true }) pendingReview?: boolean | null,
  ): Promise<Connection<AccessGrantModel>> {
    return this.requests.grants(principal, { ...page, pendingReview });
  }

  @ResolveField(() => ContactCardModel)
  lead(@Parent() family: FamilyModel, @Context() context: GqlContext): Promise<ContactCardModel> {
    return this.cards.card(requestPrincipal(context.req), family.id, family.leadUserId);
  }

  @ResolveField(() => [NetworkMemberModel], { description: 'Who else works with this family, and how to reach them' })
  async members(@Parent() family: FamilyModel, @Context() context: GqlContext): Promise<NetworkMemberModel[]> {
    const principal = requestPrincipal(context.req);
    const rows = await this.families.members(principal, family.id);
    return Promise.all(rows.map((row) => this.memberModel(principal, row)));
  }

  @ResolveField(() => [PersonModel])
  people(@Parent() family: FamilyModel, @Context() context: GqlContext): Promise<PersonModel[]> {
    return this.families.people(requestPrincipal(context.req), family.id);
  }

  /** Cards load through the per-request DataLoader, so a list of members is still one query. */
  private async memberModel(principal: Principal, row: MemberRow): Promise<NetworkMemberModel> {
    const user = await this.cards.card(principal, row.family_id, row.user_id);
    return { user, role: row.role, addedAt: row.added_at, expiresAt: row.expires_at };
  }

  private async joinRequestModel(principal: Principal, row: JoinRequestRow): Promise<JoinRequestModel> {
    return {
      id: row.id,
      familyId: row.family_id,
      requester: await this.cards.card(principal, row.family_id, row.user_id),
      reason: row.reason,
      status: row.status,
      createdAt: row.created_at,
      decidedAt: row.decided_at,
    };
  }
}
