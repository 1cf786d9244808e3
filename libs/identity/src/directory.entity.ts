import { Column, Entity, PrimaryColumn } from 'typeorm';

/** How many directory searches a user made in the current window (the limit is per user). */
@Entity('directory_search_counts')
export class DirectorySearchCountEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'integer' })
  searches: number;

  @Column({ name: 'window_started_at', type: 'timestamptz' })
  windowStartedAt: Date;
}
