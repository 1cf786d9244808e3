import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Field, InputType } from '@nestjs/graphql';
import { Authenticated, CurrentPrincipal, RequireRoles, Role, requestPrincipal, type Principal } from '@hearth/authz';
import { ContactCardModel, ContactCardService, FamilyModel, FamilyService } from '@hearth/network';
import { PageArgs, type Connection } from '@hearth/pagination';
import { TimelineEventModel, TimelineService } from '@hearth/timeline';
import { AlertConnection, AlertModel, AlertStatus, RuleModel } from './alert.models.js';
import { AlertService } from './alert.service.js';

@InputType()
export class RuleInput {
  @Field(() => ID, { nullable: true, description: 'Omit to create a rule; give it to make a new version' })
  id?: string | null;

  @Field(() => String)
  name: string;

  @Field(() => String, {
    description: 'The rule definition as JSON (kinds THRESHOLD, SEQUENCE, TRIGGER, ABSENCE, NETWORK_GAP)',
  })
  definition: string;

  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;
}

type GqlContext = { req: object };

@Resolver(() => AlertModel)
export class AlertResolver {
  constructor(
    private readonly alertService: AlertService,
    private readonly families: FamilyService,
    private readonly timelines: TimelineService,
    private readonly cards: ContactCardService,
  ) {}

  @Authenticated()
  @Query(() => AlertConnection, { description: 'Alerts addressed to you, newest first' })
  alerts(
    @CurrentPrincipal() principal: Principal,
    @Args() page: PageArgs,
    @Args('status', { type: () => AlertStatus, nullable: true }) status?: AlertStatus | null,
  ): Promise<Connection<AlertModel>> {
    return this.alertService.mine(principal, { ...page, status });
  }

  @Authenticated()
  @Mutation(() => AlertModel)
  acknowledgeAlert(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<AlertModel> {
    return this.alertService.acknowledge(principal, id);
  }

  @Authenticated()
  @Mutation(() => AlertModel)
  resolveAlert(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('note') note: string,
  ): Promise<AlertModel> {
    return this.alertService.resolve(principal, id, note);
  }

  @RequireRoles(Role.PARTNERSHIP_ADMIN)
  @Query(() => [RuleModel])
  rules(): Promise<RuleModel[]> {
    return this.alertService.rules();
  }

  @RequireRoles(Role.PARTNERSHIP_ADMIN)
  @Mutation(() => RuleModel, { description: 'A change is a new version' })
  upsertRule(@CurrentPrincipal() principal: Principal, @Args('input') input: RuleInput): Promise<RuleModel> {
    return this.alertService.upsertRule(principal, input);
  }

  @RequireRoles(Role.PARTNERSHIP_ADMIN)
  @Mutation(() => RuleModel)
  setRuleEnabled(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('enabled') enabled: boolean,
  ): Promise<RuleModel> {
    return this.alertService.setRuleEnabled(principal, id, enabled);
  }

  @ResolveField(() => FamilyModel)
  family(@Parent() alert: AlertModel, @Context() context: GqlContext): Promise<FamilyModel> {
    return this.families.load(requestPrincipal(context.req), alert.familyId);
  }

  @ResolveField(() => RuleModel)
  rule(@Parent() alert: AlertModel): Promise<RuleModel> {
    return this.alertService.rule(alert.ruleId);
  }

  @ResolveField(() => [TimelineEventModel], { description: 'The events that made the rule fire, as you may see them' })
  async matchedEvents(@Parent() alert: AlertModel, @Context() context: GqlContext): Promise<TimelineEventModel[]> {
    const principal = requestPrincipal(context.req);
    const events = await Promise.all(alert.matchedEventIds.map((id) => this.timelines.event(principal, id)));
    return events.filter((e): e is TimelineEventModel => e !== null);
  }

  @ResolveField(() => ContactCardModel, { nullable: true })
  acknowledgedBy(@Parent() alert: AlertModel, @Context() context: GqlContext): Promise<ContactCardModel | null> {
    return alert.acknowledgedById
      ? this.cards.card(requestPrincipal(context.req), alert.familyId, alert.acknowledgedById)
      : Promise.resolve(null);
  }
}
