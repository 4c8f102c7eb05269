//! [`Extensions`]: state a model keeps in the [`super::World`], one value per
//! type, so the core carries a model's data (a market, its pools) without
//! knowing its shape.

use std::any::{Any, TypeId};

/// A value an extension can hold: any cloneable type.
trait Value: Any {
    fn clone_box(&self) -> Box<dyn Value>;
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: Any + Clone> Value for T {
    fn clone_box(&self) -> Box<dyn Value> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// One value per type, found by type.
#[derive(Default)]
pub struct Extensions {
    items: Vec<(TypeId, &'static str, Box<dyn Value>)>,
}

impl Clone for Extensions {
    fn clone(&self) -> Self {
        Self {
            items: self.items.iter().map(|(id, name, value)| (*id, *name, (**value).clone_box())).collect(),
        }
    }
}

impl std::fmt::Debug for Extensions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.items.iter().map(|(_, name, _)| name)).finish()
    }
}

impl Extensions {
    /// Keep `value`, replacing a value of the same type.
    pub fn insert<T: Any + Clone>(&mut self, value: T) {
        let id = TypeId::of::<T>();
        self.items.retain(|(other, _, _)| *other != id);
        self.items.push((id, std::any::type_name::<T>(), Box::new(value)));
    }

    /// The value of type `T`, if one was inserted.
    pub fn get<T: Any>(&self) -> Option<&T> {
        let id = TypeId::of::<T>();
        self.items
            .iter()
            .find(|(other, _, _)| *other == id)
            .and_then(|(_, _, value)| (**value).as_any().downcast_ref())
    }

    /// The value of type `T`, mutably.
    pub fn get_mut<T: Any>(&mut self) -> Option<&mut T> {
        let id = TypeId::of::<T>();
        self.items
            .iter_mut()
            .find(|(other, _, _)| *other == id)
            .and_then(|(_, _, value)| (**value).as_any_mut().downcast_mut())
    }
}

#[cfg(test)]
mod tests {
    use super::Extensions;

    #[test]
    fn one_value_per_type() {
        let mut ext = Extensions::default();
        assert!(ext.get::<u32>().is_none());
        ext.insert(3u32);
        ext.insert(String::from("a"));
        ext.insert(4u32);
        assert_eq!(ext.get::<u32>(), Some(&4));
        ext.get_mut::<String>().unwrap().push('b');
        assert_eq!(ext.get::<String>().map(String::as_str), Some("ab"));
        assert!(format!("{ext:?}").contains("u32"));
        let mut copy = ext.clone();
        copy.insert(5u32);
        assert_eq!((ext.get::<u32>(), copy.get::<u32>()), (Some(&4), Some(&5)));
    }
}
