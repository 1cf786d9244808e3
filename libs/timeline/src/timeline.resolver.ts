import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Authenticated, CurrentPrincipal, RequireRoles, Role, requestPrincipal, type Principal } from '@hearth/authz';
import { AgencyModel, AgencyService } from '@hearth/identity';
import { ContactCardModel, ContactCardService, FamilyModel, FamilyService, PersonModel } from '@hearth/network';
import { PageArgs, type Connection } from '@hearth/pagination';
import { AmendEventInput, PostEventInput, SharingPolicyInput, TimelineFilter } from './timeline.inputs.js';
import { ReplyModel, SharingPolicyEntryModel, TimelineEventConnection, TimelineEventModel } from './timeline.models.js';
import { TimelineService } from './timeline.service.js';

type GqlContext = { req: object };

@Resolver(() => TimelineEventModel)
export class TimelineResolver {
  constructor(
    private readonly timelines: TimelineService,
    private readonly families: FamilyService,
    private readonly cards: ContactCardService,
    private readonly agencies: AgencyService,
  ) {}

  @Authenticated()
  @Query(() => TimelineEventConnection, { description: "A family's timeline, newest first" })
  timeline(
    @CurrentPrincipal() principal: Principal,
    @Args('familyId', { type: () => ID }) familyId: string,
    @Args() page: PageArgs,
    @Args('filter', { type: () => TimelineFilter, nullable: true }) filter?: TimelineFilter | null,
  ): Promise<Connection<TimelineEventModel>> {
    return this.timelines.timeline(principal, familyId, page, filter);
  }

  @Authenticated()
  @Mutation(() => TimelineEventModel)
  postEvent(
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: PostEventInput,
  ): Promise<TimelineEventModel> {
    return this.timelines.post(principal, input);
  }

  @Authenticated()
  @Mutation(() => TimelineEventModel, { description: 'A correction: a new event that points at the original' })
  amendEvent(
    @CurrentPrincipal() principal: Principal,
    @Args('eventId', { type: () => ID }) eventId: string,
    @Args('input') input: AmendEventInput,
  ): Promise<TimelineEventModel> {
    return this.timelines.amend(principal, eventId, input);
  }

  @Authenticated()
  @Mutation(() => ReplyModel)
  replyToEvent(
    @CurrentPrincipal() principal: Principal,
    @Args('eventId', { type: () => ID }) eventId: string,
    @Args('body') body: string,
  ): Promise<ReplyModel> {
    return this.timelines.reply(principal, eventId, body);
  }

  @Authenticated()
  @Mutation(() => TimelineEventModel)
  acknowledgeEvent(
    @CurrentPrincipal() principal: Principal,
    @Args('eventId', { type: () => ID }) eventId: string,
  ): Promise<TimelineEventModel> {
    return this.timelines.acknowledge(principal, eventId);
  }

  @RequireRoles(Role.AGENCY_ADMIN)
  @Mutation(() => AgencyModel, { description: "Your agency's default visibility for an event kind" })
  async setSharingPolicy(
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: SharingPolicyInput,
  ): Promise<AgencyModel> {
    await this.timelines.setSharingPolicy(principal, input);
    return this.agencies.get(principal.agencyId);
  }

  @ResolveField(() => FamilyModel)
  family(@Parent() event: TimelineEventModel, @Context() context: GqlContext): Promise<FamilyModel> {
    return this.families.load(requestPrincipal(context.req), event.familyId);
  }

  @ResolveField(() => [PersonModel])
  subjects(@Parent() event: TimelineEventModel, @Context() context: GqlContext): Promise<PersonModel[]> {
    return this.timelines.subjects(requestPrincipal(context.req), event.id);
  }

  @ResolveField(() => TimelineEventModel, { nullable: true, description: 'The event this one corrects' })
  amends(@Parent() event: TimelineEventModel, @Context() context: GqlContext): Promise<TimelineEventModel | null> {
    return event.amendsEventId
      ? this.timelines.event(requestPrincipal(context.req), event.amendsEventId)
      : Promise.resolve(null);
  }

  @ResolveField(() => [ReplyModel])
  replies(@Parent() event: TimelineEventModel, @Context() context: GqlContext): Promise<ReplyModel[]> {
    return this.timelines.replies(requestPrincipal(context.req), event);
  }

  @ResolveField(() => [ContactCardModel], { description: 'Read receipts' })
  async acknowledgedBy(
    @Parent() event: TimelineEventModel,
    @Context() context: GqlContext,
  ): Promise<ContactCardModel[]> {
    const principal = requestPrincipal(context.req);
    return this.cards.cards(principal, event.familyId, await this.timelines.acknowledgers(principal, event.id));
  }
}

@Resolver(() => ReplyModel)
export class ReplyResolver {
  constructor(private readonly cards: ContactCardService) {}

  @ResolveField(() => ContactCardModel)
  author(@Parent() reply: ReplyModel, @Context() context: GqlContext): Promise<ContactCardModel> {
    return this.cards.card(requestPrincipal(context.req), reply.familyId, reply.authorId);
  }
}

@Resolver(() => AgencyModel)
export class AgencySharingResolver {
  constructor(private readonly timelines: TimelineService) {}

  @ResolveField(() => [SharingPolicyEntryModel], {
    description: 'Default visibility per event kind (NETWORK where not listed)',
  })
  sharingPolicy(@Parent() agency: AgencyModel): Promise<SharingPolicyEntryModel[]> {
    return this.timelines.policy(agency.id);
  }
}
