import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Authenticated, CurrentPrincipal, RequireRoles, Role, type Principal } from '@hearth/authz';
import {
  NotificationSettingsInput,
  NotificationSettingsModel,
  RegisteredWebhookEndpointModel,
  WebhookDeadLetterModel,
  WebhookEndpointModel,
} from './notify.models.js';
import { NotificationSettingsService } from './notification-settings.service.js';
import { WebhookAdminService } from './webhook-admin.service.js';

@Resolver()
export class NotifyResolver {
  constructor(
    private readonly settings: NotificationSettingsService,
    private readonly webhooks: WebhookAdminService,
  ) {}

  @Authenticated()
  @Query(() => NotificationSettingsModel, { description: 'What reaches you outside Hearth' })
  myNotificationSettings(@CurrentPrincipal() principal: Principal): Promise<NotificationSettingsModel> {
    return this.settings.mine(principal);
  }

  @Authenticated()
  @Mutation(() => NotificationSettingsModel, { description: 'Changes only what is given. RED alerts always go.' })
  updateMyNotificationSettings(
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: NotificationSettingsInput,
  ): Promise<NotificationSettingsModel> {
    return this.settings.update(principal, input);
  }

  @RequireRoles(Role.AGENCY_ADMIN)
  @Query(() => [WebhookEndpointModel], { description: "Your agency's webhook endpoints" })
  webhookEndpoints(@CurrentPrincipal() principal: Principal): Promise<WebhookEndpointModel[]> {
    return this.webhooks.list(principal);
  }

  @RequireRoles(Role.AGENCY_ADMIN)
  @Mutation(() => RegisteredWebhookEndpointModel, { description: 'Registers an endpoint; its secret is shown once' })
  registerWebhookEndpoint(
    @CurrentPrincipal() principal: Principal,
    @Args('url') url: string,
  ): Promise<RegisteredWebhookEndpointModel> {
    return this.webhooks.register(principal, url);
  }

  @RequireRoles(Role.AGENCY_ADMIN)
  @Mutation(() => WebhookEndpointModel, { description: 'Re-enables (or disables) an endpoint' })
  setWebhookEndpointEnabled(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('enabled') enabled: boolean,
  ): Promise<WebhookEndpointModel> {
    return this.webhooks.setEnabled(principal, id, enabled);
  }

  @RequireRoles(Role.AGENCY_ADMIN)
  @Query(() => [WebhookDeadLetterModel], { description: "Deliveries to your agency's endpoints that were given up" })
  webhookDeadLetters(
    @CurrentPrincipal() principal: Principal,
    @Args('endpointId', { type: () => ID, nullable: true }) endpointId?: string | null,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
  ): Promise<WebhookDeadLetterModel[]> {
    return this.webhooks.deadLetters(principal, endpointId ?? null, first ?? 50);
  }

  @RequireRoles(Role.AGENCY_ADMIN)
  @Mutation(() => WebhookDeadLetterModel, { description: 'Sends a dead letter again, with the same webhook-id' })
  replayWebhookDelivery(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<WebhookDeadLetterModel> {
    return this.webhooks.replay(principal, id);
  }
}
