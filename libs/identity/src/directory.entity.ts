import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { UserEntity } from './user.entity.js';

/** How many directory searches a user made in the current window (the limit is per user). */
@Entity('directory_search_counts')
export class DirectorySearchCountEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  @ForeignKey(() => UserEntity, { name: 'directory_search_counts_user_id_fkey' })
  userId: string;

  @Column({ type: 'integer' })
  searches: number;

  @Column({ name: 'window_started_at', type: 'timestamptz' })
  windowStartedAt: Date;
}
